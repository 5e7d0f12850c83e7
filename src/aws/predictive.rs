//! Predictive scaling's forecast (`ASG:ec2-auto-scaling-predictive-scaling`).
