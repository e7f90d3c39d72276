"""Helpers shared by test modules: builders of the situations many tests start from, and clients. Test modules
import from here, never from one another; fixtures shared across folders live in conftest.py files."""
