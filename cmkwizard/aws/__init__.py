"""What the wizard knows about AWS.

- ``regions``: KMS regions in AWS (``us-east-1``) and Atlas (``US_EAST_1``) form, and partitions.
- ``arns``: IAM role and KMS key references as operators paste them.
- ``policies``: the Atlas trust statement and KMS access policy (``templates``), merging the
  statement into an existing trust policy, and diagnoses (``diagnosis``) of why Atlas could not
  assume a role or use a key, built on ``policy_document`` (parsing) and ``policy_eval`` (matching).
- ``adapters``: IAM, STS and KMS through boto3, imported only when a call is made; the values it
  returns live in ``resources``, its errors in ``errors``.
- ``manual``: console steps and AWS CLI commands for operators who apply changes by hand.
"""
