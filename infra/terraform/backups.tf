# etcd snapshots, written every six hours by the control plane (infra/ansible/roles/etcd_backup).
# A bucket of their own: the images bucket is readable through CloudFront, a snapshot must not be.
# The snapshot holds Secrets encrypted with the API server's key, which is not stored here.

resource "aws_s3_bucket" "backups" {
  bucket_prefix = "${local.name}-backups-"

  # `npm run rebuild -- --destroy` asks for a typed confirmation before terraform destroy.
  force_destroy = true
}

resource "aws_s3_bucket_public_access_block" "backups" {
  bucket                  = aws_s3_bucket.backups.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "backups" {
  bucket = aws_s3_bucket.backups.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "backups" {
  bucket = aws_s3_bucket.backups.id
  rule {
    id     = "expire-etcd-snapshots"
    status = "Enabled"
    filter {
      prefix = "etcd/"
    }
    expiration {
      days = var.etcd_snapshot_retention_days
    }
  }
}

data "aws_iam_policy_document" "etcd_backup" {
  statement {
    actions   = ["s3:PutObject", "s3:GetObject"]
    resources = ["${aws_s3_bucket.backups.arn}/etcd/*"]
  }

  statement {
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.backups.arn]
  }
}

resource "aws_iam_role_policy" "etcd_backup" {
  name   = "etcd-backup"
  role   = aws_iam_role.this["control_plane"].id
  policy = data.aws_iam_policy_document.etcd_backup.json
}
