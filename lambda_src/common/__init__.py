"""Helpers shared by the operations Lambdas (packaged into every zip by tools/build_lambdas.py)."""
