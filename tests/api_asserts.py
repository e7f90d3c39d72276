"""Assertions on the API's answers that every app's tests share."""


def assert_validation_error(response, *fields):
    """The API refused the request as invalid with a message, naming at least `fields` among the faulty ones."""
    body = response.json()
    assert response.status_code == 400, body
    assert body["error"]["code"] == "validation_error"
    assert body["error"]["message"]
    assert set(fields) <= set(body["error"]["fields"]), body["error"]["fields"]
