# Public entry: Route53 records, the API certificate and the ALB in front of the gateway.
# The gateway's pods are registered in the target group by the AWS load balancer controller
# through a TargetGroupBinding (infra/k8s/base/gateway); Terraform owns the ALB itself, so a
# cluster rebuild keeps the same DNS name and certificate.

locals {
  api_fqdn    = "${var.api_subdomain}.${var.domain_name}"
  images_fqdn = "${var.images_subdomain}.${var.domain_name}"
}

data "aws_route53_zone" "this" {
  name         = var.domain_name
  private_zone = false
}

resource "aws_acm_certificate" "api" {
  domain_name       = local.api_fqdn
  validation_method = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

# One name per certificate, so one validation record (keyed statically: the options are only
# known after the certificate request).
resource "aws_route53_record" "api_validation" {
  zone_id         = data.aws_route53_zone.this.zone_id
  name            = tolist(aws_acm_certificate.api.domain_validation_options)[0].resource_record_name
  type            = tolist(aws_acm_certificate.api.domain_validation_options)[0].resource_record_type
  records         = [tolist(aws_acm_certificate.api.domain_validation_options)[0].resource_record_value]
  ttl             = 60
  allow_overwrite = true
}

# One name per certificate, so one validation record (keyed statically: the options are only
# known after the certificate request).
resource "aws_route53_record" "images_validation" {
  zone_id         = data.aws_route53_zone.this.zone_id
  name            = tolist(aws_acm_certificate.images.domain_validation_options)[0].resource_record_name
  type            = tolist(aws_acm_certificate.images.domain_validation_options)[0].resource_record_type
  records         = [tolist(aws_acm_certificate.images.domain_validation_options)[0].resource_record_value]
  ttl             = 60
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "api" {
  certificate_arn         = aws_acm_certificate.api.arn
  validation_record_fqdns = [aws_route53_record.api_validation.fqdn]
}

resource "aws_lb" "api" {
  name               = "${local.name}-api"
  load_balancer_type = "application"
  internal           = false
  security_groups    = [aws_security_group.this["alb"].id]
  subnets            = [for s in aws_subnet.public : s.id]

  # SSE streams and WebSockets stay open between events; the ALB must not cut them at the
  # default 60 s. The gateway sends SSE keep-alive comments well inside this window.
  idle_timeout               = 3600
  drop_invalid_header_fields = true
}

resource "aws_lb_target_group" "gateway" {
  name        = "${local.name}-gateway"
  port        = local.gateway_node_port
  protocol    = "HTTP"
  target_type = "instance"
  vpc_id      = aws_vpc.this.id

  # Give in-flight requests and open streams time to finish when a node leaves.
  deregistration_delay = 30

  health_check {
    path                = "/readyz"
    matcher             = "200"
    interval            = 10
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.api.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = aws_acm_certificate_validation.api.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.gateway.arn
  }
}

resource "aws_lb_listener" "http_redirect" {
  load_balancer_arn = aws_lb.api.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_route53_record" "api" {
  zone_id = data.aws_route53_zone.this.zone_id
  name    = local.api_fqdn
  type    = "A"

  alias {
    name                   = aws_lb.api.dns_name
    zone_id                = aws_lb.api.zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_record" "images" {
  zone_id = data.aws_route53_zone.this.zone_id
  name    = local.images_fqdn
  type    = "A"

  alias {
    name                   = aws_cloudfront_distribution.images.domain_name
    zone_id                = aws_cloudfront_distribution.images.hosted_zone_id
    evaluate_target_health = false
  }
}
