//! One module per AWS service. Each owns its state; the world (`crate::world`)
//! routes events between them.

pub mod apigateway;
pub mod autoscaling;
pub mod cloudwatch;
pub mod dynamodb;
pub mod ec2;
pub mod elb;
pub mod kinesis;
pub mod lambda;
pub mod predictive;
pub mod recorded;
pub mod retry;
pub mod scaling;
pub mod sns;
pub mod sqs;
pub mod termination;
