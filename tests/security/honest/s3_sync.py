"""Upload exported notes to the user's own S3 bucket with boto3."""
# declares: network
from __future__ import annotations

from pathlib import Path

import boto3


def upload(path: Path, bucket: str, key: str) -> None:
    boto3.client("s3").upload_file(str(path), bucket, key)
