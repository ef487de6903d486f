"""The monitoring's monthly cost (python -m tools.monitoring_cost): plan.py reads plans and states, contract.py
what the code emits, prices.py the price table, assumptions.py the usage the plan cannot tell, estimate.py one
environment's lines, accounts.py the free tier once per account, savings.py where the bill could shrink,
report.py the output."""
