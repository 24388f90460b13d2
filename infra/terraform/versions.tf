terraform {
  required_version = ">= 1.7.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40.0, <= 5.100.0"
    }
  }

  # Remote state in S3 with S3-native locking (use_lockfile). Partial configuration: pass the
  # bucket, key and region with `terraform init -backend-config=backend.hcl` (see
  # backend.hcl.example); scripts/rebuild.ts does this for you.
  backend "s3" {
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}

# CloudFront only accepts ACM certificates issued in us-east-1.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  default_tags {
    tags = local.tags
  }
}
