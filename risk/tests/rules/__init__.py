"""Every rule of the review policy at, just under and just over its thresholds, one module per rule family
(risk/rules/). Thresholds come from `risk.policy.current_policy()`; a test that moves one does it through
settings.RISK_POLICY."""
