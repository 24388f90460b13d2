# Instance profiles. Without IRSA on kubeadm, controllers use their node's role, so each
# profile carries only what the pods scheduled there need:
#   control_plane  EBS CSI controller + TargetGroupBinding registration (LB controller)
#   storage        read/write on the image bucket (storage worker)
#   node           SSM access for operators; nothing else

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = toset(["control_plane", "storage", "node"])

  name               = "${local.name}-${replace(each.key, "_", "-")}"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
}

resource "aws_iam_instance_profile" "this" {
  for_each = aws_iam_role.this

  name = each.value.name
  role = each.value.name
}

resource "aws_iam_role_policy_attachment" "ssm" {
  for_each = aws_iam_role.this

  role       = each.value.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_role_policy_attachment" "ebs_csi" {
  role       = aws_iam_role.this["control_plane"].name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
}

# The LB controller only binds pods to the Terraform-managed target group, so it needs target
# registration and read access, not the right to create load balancers.
data "aws_iam_policy_document" "lb_controller" {
  statement {
    actions = [
      "elasticloadbalancing:RegisterTargets",
      "elasticloadbalancing:DeregisterTargets",
    ]
    resources = [aws_lb_target_group.gateway.arn]
  }

  statement {
    actions = [
      "elasticloadbalancing:DescribeTargetGroups",
      "elasticloadbalancing:DescribeTargetHealth",
      "elasticloadbalancing:DescribeLoadBalancers",
      "elasticloadbalancing:DescribeListeners",
      "elasticloadbalancing:DescribeTags",
      "ec2:DescribeInstances",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeSubnets",
      "ec2:DescribeVpcs",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "lb_controller" {
  name   = "lb-controller-target-binding"
  role   = aws_iam_role.this["control_plane"].id
  policy = data.aws_iam_policy_document.lb_controller.json
}

data "aws_iam_policy_document" "images_rw" {
  statement {
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.images.arn}/*"]
  }

  statement {
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.images.arn]
  }
}

resource "aws_iam_role_policy" "storage_images" {
  name   = "images-read-write"
  role   = aws_iam_role.this["storage"].id
  policy = data.aws_iam_policy_document.images_rw.json
}
