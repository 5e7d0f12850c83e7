//! Amazon SQS: queues, messages, and the documented rules that move a message
//! between its states — delayed → visible → in flight → deleted; back to
//! visible when its visibility timeout ends; to a dead-letter queue when a
//! receive finds it past the redrive policy's `maxReceiveCount`; gone when its
//! retention period ends.
//!
//! State and rules only. The world (`crate::world::sqs`) turns the times kept
//! here into events and runs the producers and consumers. Each rule is one
//! named function whose comment gives the citation key of
//! `shared/research/aws-semantics.md` §4 (and the worked example it passes).
//!
//! Choices where the documentation leaves room (each a parameter or a stated
//! reading):
//! - short polling sees each visible message with probability
//!   `short_poll_sample` (default 0.01), so a receive of 10 is most likely
//!   short below ~1,000 messages, as documented;
//! - a standard queue's `duplicate_rate` is the share of receives whose later
//!   DeleteMessage misses one replica: the message comes back when that
//!   receive's visibility timeout ends (the documented cause of duplicates);
//! - a standard-queue delete with an older receipt handle deletes the message
//!   unless it is in flight under a newer receipt ("the request succeeds, but
//!   the message might not be deleted" — the pessimistic reading);
//! - limits follow the current API reference: 1 MiB messages, 120,000 in
//!   flight for both queue types (the 2023 guide said 256 KiB and 20,000 for
//!   FIFO; both are parameters).

use crate::sim::rng::Rng;
use crate::sim::{OptId, SimTime};
use rand::RngExt;
use rand_distr::{Binomial, Distribution};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, VecDeque};

const SECOND: SimTime = 1_000_000_000;

/// The visibility timeout's hard cap, 12 h, counted from the ReceiveMessage
/// request (`SQS:sqs-visibility-timeout`).
pub const MAX_VISIBILITY: SimTime = 43_200 * SECOND;
/// FIFO deduplication interval, 5 minutes
/// (`API-SQS:SendMessageRequest.MessageDeduplicationId`).
pub const DEDUP_INTERVAL: SimTime = 300 * SECOND;
/// In-flight limit of a standard queue, ≈120,000 (`SQS:sqs-visibility-timeout`).
pub const STANDARD_IN_FLIGHT_LIMIT: u32 = 120_000;
/// In-flight limit of a FIFO queue: 120,000 in the current API reference
/// (`API-SQS:ChangeMessageVisibility`; the 2023 guide said 20,000).
pub const FIFO_IN_FLIGHT_LIMIT: u32 = 120_000;
/// Largest message, 1 MiB (`API-SQS:CreateQueueRequest.Attributes`
/// MaximumMessageSize, current; 256 KiB in the 2023 guide).
pub const MAX_MESSAGE_SIZE: u64 = 1_048_576;
/// The shortest message retention, 60 s (`API-SQS:CreateQueueRequest.Attributes`
/// MessageRetentionPeriod: 60 to 1,209,600 seconds).
pub const MIN_RETENTION: SimTime = 60 * SECOND;
/// The longest message retention, 14 days (same attribute).
pub const MAX_RETENTION: SimTime = 1_209_600 * SECOND;
/// The longest delivery delay, 15 minutes (`API-SQS:CreateQueueRequest.Attributes`
/// DelaySeconds: 0 to 900).
pub const MAX_DELAY: SimTime = 900 * SECOND;
/// The smallest MaximumMessageSize, 1 KiB (`API-SQS:CreateQueueRequest.Attributes`).
pub const MIN_MAX_MESSAGE_SIZE: u64 = 1024;
/// Messages a ReceiveMessage returns at most, 10
/// (`API-SQS:ReceiveMessageRequest.MaxNumberOfMessages`: 1 to 10).
pub const MAX_RECEIVE_BATCH: u32 = 10;
/// The longest long-poll wait, 20 s (`API-SQS:ReceiveMessageRequest.WaitTimeSeconds`).
pub const MAX_WAIT_TIME: SimTime = 20 * SECOND;
/// A redrive policy's maxReceiveCount: 1 to 1,000 (`API-SQS:SetQueueAttributes`
/// RedrivePolicy).
pub const MAX_RECEIVE_COUNT: std::ops::RangeInclusive<u32> = 1..=1000;
/// FIFO throughput per API action without batching, 300 calls/s
/// (`SQS:partitions-and-data-distribution`).
pub const FIFO_CALLS_PER_SECOND: u32 = 300;
/// Each 64 KiB chunk of a request's payload is billed as one request (SQS
/// pricing page).
pub const BILLING_CHUNK: u64 = 65_536;
/// Receives after which a message no longer counts for
/// ApproximateAgeOfOldestMessage (`SQS:sqs-available-cloudwatch-metrics`).
pub const AGE_METRIC_RECEIVES: u32 = 3;
/// Default round trip of an SQS API call, 5 ms (not documented: a parameter,
/// `api_latency`).
pub const DEFAULT_API_LATENCY: SimTime = 5_000_000;
/// Default share of visible messages one short poll sees (see the module doc).
pub const DEFAULT_SHORT_POLL_SAMPLE: f64 = 0.01;

// ================================================================ the limits

/// Checks a queue's attributes against SQS's limits ([`MAX_VISIBILITY`],
/// [`MIN_RETENTION`]–[`MAX_RETENTION`], [`MAX_DELAY`],
/// [`MIN_MAX_MESSAGE_SIZE`]–[`MAX_MESSAGE_SIZE`], [`MAX_RECEIVE_COUNT`]) and
/// the simulator's own ranges (in-flight and throughput limits ≥ 1, a
/// sampling share in (0, 1]). Each problem names its field (dotted below the
/// queue, like `redrive.max_receive_count`).
pub fn queue_problems(q: &crate::scenario::Queue) -> Vec<(&'static str, String)> {
    use crate::scenario::Duration;
    let mut out = Vec::new();
    if q.visibility_timeout.0 > MAX_VISIBILITY {
        out.push((
            "visibility_timeout",
            format!(
                "visibility_timeout must be at most {} (SQS's limit), found {}",
                Duration(MAX_VISIBILITY),
                q.visibility_timeout
            ),
        ));
    }
    if q.message_retention.0 < MIN_RETENTION || q.message_retention.0 > MAX_RETENTION {
        out.push((
            "message_retention",
            format!(
                "message_retention must be from {}s to {} (SQS's limits), found {}",
                MIN_RETENTION / SECOND,
                Duration(MAX_RETENTION),
                q.message_retention
            ),
        ));
    }
    if q.delay.0 > MAX_DELAY {
        out.push((
            "delay",
            format!(
                "delay must be at most {} (SQS's limit), found {}",
                Duration(MAX_DELAY),
                q.delay
            ),
        ));
    }
    if let Some(m) = q.maximum_message_size
        && !(MIN_MAX_MESSAGE_SIZE..=MAX_MESSAGE_SIZE).contains(&m.0)
    {
        out.push((
            "maximum_message_size",
            format!("maximum_message_size must be from 1KB to 1MB (SQS's limits), found {m}"),
        ));
    }
    if q.in_flight_limit == Some(0) {
        out.push((
            "in_flight_limit",
            "in_flight_limit must be at least 1".to_string(),
        ));
    }
    if q.throughput_limit == Some(0) {
        out.push((
            "throughput_limit",
            "throughput_limit must be at least 1 call per second".to_string(),
        ));
    }
    if let Some(x) = q.short_poll_sample
        && !(x > 0.0 && x <= 1.0)
    {
        out.push((
            "short_poll_sample",
            format!(
                "short_poll_sample is a share of the messages, above 0 and at most 1, found {x}"
            ),
        ));
    }
    if let Some(r) = &q.redrive
        && !MAX_RECEIVE_COUNT.contains(&r.max_receive_count)
    {
        out.push((
            "redrive.max_receive_count",
            format!(
                "max_receive_count must be from {} to {}, found {}",
                MAX_RECEIVE_COUNT.start(),
                MAX_RECEIVE_COUNT.end(),
                r.max_receive_count
            ),
        ));
    }
    out
}

/// Checks a consumer's ReceiveMessage parameters against SQS's limits
/// ([`MAX_RECEIVE_BATCH`], [`MAX_WAIT_TIME`]).
pub fn consumer_problems(c: &crate::scenario::Consumer) -> Vec<(&'static str, String)> {
    use crate::scenario::Duration;
    let mut out = Vec::new();
    if !(1..=MAX_RECEIVE_BATCH).contains(&c.batch) {
        out.push((
            "batch",
            format!(
                "batch must be from 1 to {MAX_RECEIVE_BATCH} (SQS's limit), found {}",
                c.batch
            ),
        ));
    }
    if c.wait_time.0 > MAX_WAIT_TIME {
        out.push((
            "wait_time",
            format!(
                "wait_time must be at most {} (SQS's limit), found {}",
                Duration(MAX_WAIT_TIME),
                c.wait_time
            ),
        ));
    }
    out
}

// ================================================================ the rules

/// Why ChangeMessageVisibility failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VisibilityError {
    /// The new timeout would end more than 12 h after the ReceiveMessage
    /// request.
    ExceedsMaximum,
    /// The receipt handle is no longer valid (deleted, visible again, or
    /// received again by someone else).
    ReceiptInvalid,
}

/// The deadline a ChangeMessageVisibility call sets: the new timeout counts
/// from the time of the call, not from the receive, and must not end more
/// than 12 h after the ReceiveMessage request; extending does not reset that
/// cap. WE-24 (timeout 60 s, change to 10 s at 15 s → visible at 25 s),
/// WE-26 (43,200 s just after the receive fails, 43,195 s works).
/// `SQS:sqs-visibility-timeout`; `API-SQS:ChangeMessageVisibility`.
pub fn visibility_change(
    now: SimTime,
    receive_requested_at: SimTime,
    new_timeout: SimTime,
) -> Result<SimTime, VisibilityError> {
    let elapsed = now.saturating_sub(receive_requested_at);
    if elapsed + new_timeout > MAX_VISIBILITY {
        Err(VisibilityError::ExceedsMaximum)
    } else {
        Ok(now + new_timeout)
    }
}

/// When a received message becomes visible again: the timer starts when SQS
/// returns the message, with the queue's timeout (a ChangeMessageVisibility
/// of an earlier receipt is not remembered). WE-24 ("the next receive reverts
/// to 60 s"). `SQS:sqs-visibility-timeout`.
pub fn visibility_deadline(returned_at: SimTime, queue_timeout: SimTime) -> SimTime {
    returned_at + queue_timeout
}

/// Whether a receive that finds this message moves it to the dead-letter
/// queue instead of returning it: when returning it would make its receive
/// count exceed `maxReceiveCount`. So a message is received
/// `max_receive_count` times, and the next attempt moves it. WE-27.
/// `API-SQS:CreateQueueRequest.Attributes` (RedrivePolicy);
/// `SQS:sqs-dead-letter-queues`.
pub fn moves_to_dead_letter_queue(receive_count: u32, max_receive_count: u32) -> bool {
    receive_count >= max_receive_count
}

/// The enqueue timestamp a message has in its dead-letter queue, which its
/// retention counts from: a standard queue keeps the original one, a FIFO
/// queue resets it at the move. WE-25 (1 day in the source, DLQ retention 4
/// days: standard deleted 3 days after the move, FIFO 4 days).
/// `SQS:sqs-dead-letter-queues`; WEB setting-up-dead-letter-queue-retention.
pub fn dead_letter_enqueue_timestamp(fifo: bool, original: SimTime, moved_at: SimTime) -> SimTime {
    if fifo { moved_at } else { original }
}

/// When a message's retention period ends.
/// `API-SQS:CreateQueueRequest.Attributes` (MessageRetentionPeriod).
pub fn expires_at(enqueued_at: SimTime, retention: SimTime) -> SimTime {
    enqueued_at + retention
}

/// Whether a FIFO send is a duplicate: a message with the same deduplication
/// id was accepted less than 5 minutes ago. It is accepted but not delivered.
/// `API-SQS:SendMessageRequest.MessageDeduplicationId`;
/// `SQS:FIFO-queues-exactly-once-processing`.
pub fn is_duplicate_send(last_accepted: Option<SimTime>, now: SimTime) -> bool {
    last_accepted.is_some_and(|t| now < t + DEDUP_INTERVAL)
}

/// Requests billed for one API call carrying `payload` bytes: each 64 KiB
/// chunk is one request, at least one (SQS pricing page).
pub fn billable_requests(payload: u64) -> u64 {
    payload.div_ceil(BILLING_CHUNK).max(1)
}

/// Price per million requests, us-east-1: $0.40 standard, $0.50 FIFO (SQS
/// pricing page; the monthly free tier of 1 million requests is ignored).
pub fn price_per_million(fifo: bool) -> f64 {
    if fifo { 0.50 } else { 0.40 }
}

/// Whether SendMessage accepts a message of this size.
/// `API-SQS:CreateQueueRequest.Attributes` (MaximumMessageSize).
pub fn message_size_ok(size: u64, maximum: u64) -> bool {
    size <= maximum
}

/// How many messages a short poll finds: it queries a weighted random subset
/// of the servers, so it sees each visible message with probability
/// `sample`; long polling queries all of them.
/// `SQS:sqs-short-and-long-polling`.
pub fn short_poll_found(visible: u64, sample: f64, rng: &mut Rng) -> u64 {
    if visible == 0 || sample <= 0.0 {
        return 0;
    }
    if sample >= 1.0 {
        return visible;
    }
    Binomial::new(visible, sample)
        .map(|b| b.sample(rng))
        .unwrap_or(0)
}

/// Whether a FIFO queue serves one more call of an API action this second
/// (300 per action without high throughput). Above it: ThrottlingException.
/// `SQS:partitions-and-data-distribution`.
pub fn fifo_call_allowed(calls_this_second: u32, limit: u32) -> bool {
    limit == 0 || calls_this_second < limit
}

/// What DeleteMessage does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeleteRule {
    /// The message is deleted.
    Delete,
    /// The call succeeds but the message stays (a newer receipt holds it).
    Ignore,
    /// The call fails (FIFO, outside the visibility window).
    Error,
}

/// DeleteMessage with a receipt handle. `current`: the handle is the latest
/// receive's; `held_elsewhere`: the message is in flight under a newer
/// receipt; `window_open`: the handle's visibility timeout has not ended.
/// FIFO: a delete outside the visibility window fails. Standard: "the request
/// succeeds, but the message might not be deleted" with an older handle —
/// here it is not deleted while another receipt holds it.
/// `SQS:sqs-visibility-timeout`; `API-SQS:DeleteMessage`.
pub fn delete_rule(
    fifo: bool,
    current: bool,
    held_elsewhere: bool,
    window_open: bool,
) -> DeleteRule {
    if fifo {
        if current && window_open {
            DeleteRule::Delete
        } else {
            DeleteRule::Error
        }
    } else if held_elsewhere {
        DeleteRule::Ignore
    } else {
        DeleteRule::Delete
    }
}

/// Whether a message counts for ApproximateAgeOfOldestMessage: after 3
/// receives without deletion it is moved to the back of the queue and the
/// metric skips it. `SQS:sqs-available-cloudwatch-metrics`.
pub fn counts_for_age_metric(receives_in_queue: u32) -> bool {
    receives_in_queue < AGE_METRIC_RECEIVES
}

/// A standard queue returns a message to the back of the queue after 3
/// receives without deletion; before that it keeps its place (best-effort
/// order). `SQS:sqs-available-cloudwatch-metrics`.
pub fn returns_to_back(receives_in_queue: u32) -> bool {
    receives_in_queue >= AGE_METRIC_RECEIVES
}

// ================================================================ the state

/// A queue's settings.
#[derive(Clone, Debug)]
pub struct QueueConfig {
    /// Name.
    pub name: String,
    /// FIFO queue.
    pub fifo: bool,
    /// Default visibility timeout, ns.
    pub visibility_timeout: SimTime,
    /// Retention, ns.
    pub retention: SimTime,
    /// Delivery delay, ns.
    pub delay: SimTime,
    /// Redrive: (dead-letter queue index, maxReceiveCount).
    pub redrive: Option<(u32, u32)>,
    /// Standard: share of receives whose delete misses a replica.
    pub duplicate_rate: f64,
    /// Largest message, bytes.
    pub max_message_size: u64,
    /// Messages in flight at most.
    pub in_flight_limit: u32,
    /// FIFO: calls per second per API action (0: unlimited).
    pub calls_per_second: u32,
    /// Share of visible messages one short poll sees.
    pub short_poll_sample: f64,
    /// Round trip of one API call from an instance or producer, ns.
    pub api_latency: SimTime,
}

impl QueueConfig {
    /// Defaults of a queue (AWS's, and this module's parameters).
    pub fn new(name: &str, fifo: bool) -> QueueConfig {
        QueueConfig {
            name: name.to_string(),
            fifo,
            visibility_timeout: 30 * SECOND,
            retention: 345_600 * SECOND,
            delay: 0,
            redrive: None,
            duplicate_rate: 0.0,
            max_message_size: MAX_MESSAGE_SIZE,
            in_flight_limit: if fifo {
                FIFO_IN_FLIGHT_LIMIT
            } else {
                STANDARD_IN_FLIGHT_LIMIT
            },
            calls_per_second: if fifo { FIFO_CALLS_PER_SECOND } else { 0 },
            short_poll_sample: DEFAULT_SHORT_POLL_SAMPLE,
            api_latency: DEFAULT_API_LATENCY,
        }
    }
}

/// Where a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MsgState {
    /// The slot is free (the message was deleted, moved or expired).
    Free,
    /// Waiting for the queue's delivery delay.
    Delayed,
    /// Available to receive.
    Visible,
    /// Received and not yet deleted or visible again.
    InFlight,
}

/// One message.
#[derive(Clone, Debug)]
pub struct Message {
    /// MessageId (unique over the run, kept across a move).
    pub id: u64,
    /// Queue it is in (none: a free slot).
    pub queue: OptId,
    /// State.
    pub state: MsgState,
    /// Arrival order in its queue.
    pub seq: u64,
    /// Position key among visible messages (standard queues).
    order: u64,
    /// FIFO: group index in its queue (none: not in a group yet).
    pub group: OptId,
    /// MessageGroupId.
    pub group_key: u64,
    /// Bytes.
    pub size: u64,
    /// Enqueue timestamp (retention counts from it).
    pub enqueued_at: SimTime,
    /// When it entered this queue (its age counts from it).
    pub arrived_at: SimTime,
    /// ApproximateReceiveCount, across queues.
    pub receive_count: u32,
    /// Receives in this queue.
    pub receives_here: u32,
    /// Latest receipt handle (unique per slot, never reused).
    pub receipt: u32,
    first_receipt: u32,
    /// When the latest ReceiveMessage request was made (12 h cap).
    pub requested_at: SimTime,
    /// When it becomes visible again (in flight).
    pub visible_at: SimTime,
    /// Consumers processing it now.
    pub processing: u32,
    /// A consumer finished processing it successfully at least once.
    pub processed: bool,
    lost_delete: bool,
    /// Logical message (shared by the copies of a producer's duplicate send).
    pub logical: u64,
    twin: bool,
    /// What processing it takes, drawn by the first consumer that processes
    /// it (a long job is long every time): time, and whether it always fails.
    pub work: Option<(SimTime, bool)>,
}

impl Message {
    fn free() -> Message {
        Message {
            id: 0,
            queue: OptId::NONE,
            state: MsgState::Free,
            seq: 0,
            order: 0,
            group: OptId::NONE,
            group_key: 0,
            size: 0,
            enqueued_at: 0,
            arrived_at: 0,
            receive_count: 0,
            receives_here: 0,
            receipt: 0,
            first_receipt: 0,
            requested_at: 0,
            visible_at: 0,
            processing: 0,
            processed: false,
            lost_delete: false,
            logical: 0,
            twin: false,
            work: None,
        }
    }
}

/// Counts of a queue over the whole run.
#[derive(Clone, Debug, Default)]
pub struct QueueTotals {
    /// Messages accepted from producers.
    pub sent: u64,
    /// Messages returned by ReceiveMessage.
    pub received: u64,
    /// Messages deleted.
    pub deleted: u64,
    /// Returned messages with receive count ≥ 2.
    pub redelivered: u64,
    /// Moved out by redrive.
    pub dead_lettered: u64,
    /// Moved in from source queues.
    pub moved_in: u64,
    /// Gone at the end of their retention.
    pub expired: u64,
    /// Processing of a message already being or having been processed.
    pub duplicates_processed: u64,
    /// FIFO sends dropped as duplicates within 5 minutes.
    pub deduplicated: u64,
    /// Sends refused (message too large).
    pub rejected: u64,
    /// Calls refused by the FIFO throughput limit.
    pub throttled: u64,
    /// ReceiveMessage calls that returned nothing.
    pub empty_receives: u64,
    /// Short polls refused at the in-flight limit (OverLimit).
    pub over_limit: u64,
    /// Billable requests.
    pub requests: u64,
    /// Largest age a message reached in this queue, ns.
    pub max_age: SimTime,
}

/// Counts of the current metrics period.
#[derive(Clone, Copy, Debug, Default)]
pub struct PeriodCounts {
    /// NumberOfMessagesSent.
    pub sent: u64,
    /// NumberOfMessagesReceived.
    pub received: u64,
    /// NumberOfMessagesDeleted.
    pub deleted: u64,
    /// NumberOfEmptyReceives.
    pub empty_receives: u64,
    /// Redeliveries.
    pub redelivered: u64,
    /// First redelivery of the period.
    pub first_redelivery: SimTime,
}

#[derive(Clone, Debug, Default)]
struct Group {
    msgs: VecDeque<u32>,
    in_flight: u32,
    ready_key: Option<u64>,
}

/// One queue.
pub struct Queue {
    /// Settings.
    pub cfg: QueueConfig,
    /// Standard: visible messages by (order, slot, receipt), lazily cleaned.
    heap: BinaryHeap<Reverse<(u64, u32, u32)>>,
    groups: Vec<Group>,
    group_index: HashMap<u64, u32>,
    /// FIFO: groups with no message in flight, by their first message.
    ready: BTreeSet<(u64, u32)>,
    /// ApproximateNumberOfMessagesVisible.
    pub visible: u64,
    /// ApproximateNumberOfMessagesNotVisible.
    pub in_flight: u64,
    /// ApproximateNumberOfMessagesDelayed.
    pub delayed: u64,
    by_arrival: BTreeMap<u64, u32>,
    /// Only when expiry order differs from arrival order (a standard queue
    /// that is a dead-letter queue keeps original timestamps).
    by_expiry: Option<BTreeSet<(SimTime, u64, u32)>>,
    next_seq: u64,
    dedup: HashMap<u64, SimTime>,
    dedup_log: VecDeque<(SimTime, u64)>,
    window: u64,
    window_sends: u32,
    window_receives: u32,
    /// Run totals.
    pub totals: QueueTotals,
    /// Current metrics period.
    pub period: PeriodCounts,
    rng: Rng,
}

/// What SendMessage did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// Accepted: the slot, and whether it waits for the queue's delay.
    Accepted {
        /// message slot
        msg: u32,
        /// waits for the delivery delay
        delayed: bool,
    },
    /// FIFO: a duplicate within 5 minutes, accepted but not delivered.
    Deduplicated,
    /// Larger than the queue's maximum message size.
    TooLarge,
    /// FIFO throughput limit.
    Throttled,
}

/// What ReceiveMessage did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceiveStatus {
    /// Returned this many messages.
    Messages(u32),
    /// Returned nothing.
    Empty,
    /// Short polling at the in-flight limit: OverLimit.
    OverLimit,
    /// FIFO throughput limit.
    Throttled,
}

/// A message moved to a dead-letter queue.
#[derive(Clone, Copy, Debug)]
pub struct Moved {
    /// Slot (now in the dead-letter queue).
    pub msg: u32,
    /// MessageId.
    pub id: u64,
    /// Source queue.
    pub from: u32,
    /// Dead-letter queue.
    pub to: u32,
    /// Its receive count.
    pub receive_count: u32,
}

/// What DeleteMessage did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeleteOutcome {
    /// Deleted.
    Deleted,
    /// Succeeded, but a newer receipt holds the message: not deleted.
    NotDeleted,
    /// Failed (FIFO, outside the visibility window).
    Failed,
    /// Succeeded, but a replica missed it: the message comes back when its
    /// visibility timeout ends (standard queues, `duplicate_rate`).
    Lost,
    /// The message is gone already.
    Gone,
}

/// All queues and their messages.
pub struct Sqs {
    /// Queues.
    pub queues: Vec<Queue>,
    /// Message slots.
    pub msgs: Vec<Message>,
    free: VecDeque<u32>,
    next_id: u64,
    /// Messages sent twice (standard queues): per logical message, copies
    /// being processed and whether one was processed.
    twins: HashMap<u64, (u32, bool)>,
}

impl Sqs {
    /// Queues with these settings; `rngs` one stream per queue.
    pub fn new(cfgs: Vec<QueueConfig>, rngs: Vec<Rng>) -> Sqs {
        let mut dlq_of_standard = vec![false; cfgs.len()];
        for c in &cfgs {
            if let Some((d, _)) = c.redrive
                && !cfgs[d as usize].fifo
            {
                dlq_of_standard[d as usize] = true;
            }
        }
        let queues = cfgs
            .into_iter()
            .zip(rngs)
            .enumerate()
            .map(|(i, (cfg, rng))| Queue {
                cfg,
                heap: BinaryHeap::new(),
                groups: Vec::new(),
                group_index: HashMap::new(),
                ready: BTreeSet::new(),
                visible: 0,
                in_flight: 0,
                delayed: 0,
                by_arrival: BTreeMap::new(),
                by_expiry: dlq_of_standard[i].then(BTreeSet::new),
                next_seq: 0,
                dedup: HashMap::new(),
                dedup_log: VecDeque::new(),
                window: u64::MAX,
                window_sends: 0,
                window_receives: 0,
                totals: QueueTotals::default(),
                period: PeriodCounts::default(),
                rng,
            })
            .collect();
        Sqs {
            queues,
            msgs: Vec::new(),
            free: VecDeque::new(),
            next_id: 0,
            twins: HashMap::new(),
        }
    }

    /// A new logical message id (a producer's message; its duplicate send
    /// carries the same one).
    pub fn new_logical(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn alloc(&mut self) -> u32 {
        if let Some(i) = self.free.pop_front() {
            i
        } else {
            self.msgs.push(Message::free());
            (self.msgs.len() - 1) as u32
        }
    }

    fn bill(&mut self, q: u32, payload: u64) {
        self.queues[q as usize].totals.requests += billable_requests(payload);
    }

    /// Bill one call without payload to the queue (DeleteMessage,
    /// ChangeMessageVisibilityBatch).
    pub fn bill_call(&mut self, q: u32) {
        self.bill(q, 0);
    }

    fn fifo_window(&mut self, q: u32, now: SimTime) {
        let qu = &mut self.queues[q as usize];
        let sec = now / SECOND;
        if qu.window != sec {
            qu.window = sec;
            qu.window_sends = 0;
            qu.window_receives = 0;
        }
    }

    /// SendMessage. `logical` identifies the producer's message: a FIFO queue
    /// deduplicates on it; on a standard queue `twin` marks a message sent
    /// twice, whose second processing is a duplicate.
    pub fn send(
        &mut self,
        q: u32,
        now: SimTime,
        size: u64,
        group_key: u64,
        logical: u64,
        twin: bool,
    ) -> SendOutcome {
        let fifo = self.queues[q as usize].cfg.fifo;
        if !message_size_ok(size, self.queues[q as usize].cfg.max_message_size) {
            self.queues[q as usize].totals.rejected += 1;
            return SendOutcome::TooLarge;
        }
        if fifo {
            self.fifo_window(q, now);
            let qu = &mut self.queues[q as usize];
            if !fifo_call_allowed(qu.window_sends, qu.cfg.calls_per_second) {
                qu.totals.throttled += 1;
                return SendOutcome::Throttled;
            }
            qu.window_sends += 1;
            // The deduplication window.
            while let Some(&(t, id)) = qu.dedup_log.front() {
                if now < t + DEDUP_INTERVAL {
                    break;
                }
                qu.dedup_log.pop_front();
                if qu.dedup.get(&id) == Some(&t) {
                    qu.dedup.remove(&id);
                }
            }
            if is_duplicate_send(qu.dedup.get(&logical).copied(), now) {
                qu.totals.deduplicated += 1;
                qu.totals.requests += billable_requests(size);
                return SendOutcome::Deduplicated;
            }
            qu.dedup.insert(logical, now);
            qu.dedup_log.push_back((now, logical));
        }
        self.bill(q, size);
        let m = self.alloc();
        self.next_id += 1;
        let id = self.next_id;
        let qu = &mut self.queues[q as usize];
        let seq = qu.next_seq;
        qu.next_seq += 1;
        let delayed = qu.cfg.delay > 0;
        let slot = &mut self.msgs[m as usize];
        let receipt = slot.receipt.wrapping_add(1);
        *slot = Message {
            id,
            queue: OptId::some(q),
            state: MsgState::Delayed,
            seq,
            order: seq,
            group: OptId::NONE,
            group_key,
            size,
            enqueued_at: now,
            arrived_at: now,
            receive_count: 0,
            receives_here: 0,
            receipt,
            first_receipt: receipt,
            requested_at: 0,
            visible_at: 0,
            processing: 0,
            processed: false,
            lost_delete: false,
            logical,
            twin,
            work: None,
        };
        qu.totals.sent += 1;
        qu.period.sent += 1;
        self.index(m);
        if delayed {
            self.queues[q as usize].delayed += 1;
        } else {
            self.make_visible(m);
        }
        SendOutcome::Accepted { msg: m, delayed }
    }

    fn index(&mut self, m: u32) {
        let msg = &self.msgs[m as usize];
        let qu = &mut self.queues[msg.queue.known() as usize];
        qu.by_arrival.insert(msg.seq, m);
        if let Some(e) = &mut qu.by_expiry {
            e.insert((expires_at(msg.enqueued_at, qu.cfg.retention), msg.seq, m));
        }
    }

    fn unindex(&mut self, m: u32, now: SimTime) {
        let msg = &self.msgs[m as usize];
        let qu = &mut self.queues[msg.queue.known() as usize];
        qu.by_arrival.remove(&msg.seq);
        if let Some(e) = &mut qu.by_expiry {
            e.remove(&(expires_at(msg.enqueued_at, qu.cfg.retention), msg.seq, m));
        }
        qu.totals.max_age = qu.totals.max_age.max(now.saturating_sub(msg.arrived_at));
    }

    /// A delayed message's delay ended (the world's delay timer). Returns
    /// whether it became visible.
    pub fn delay_ended(&mut self, m: u32, receipt: u32) -> bool {
        let msg = &self.msgs[m as usize];
        if msg.state != MsgState::Delayed || msg.receipt != receipt {
            return false;
        }
        self.queues[msg.queue.known() as usize].delayed -= 1;
        self.make_visible(m);
        true
    }

    /// Put a message among the visible ones of its queue (new, or back from
    /// flight).
    fn make_visible(&mut self, m: u32) {
        let msg = &mut self.msgs[m as usize];
        let q = msg.queue.known();
        msg.state = MsgState::Visible;
        let qu = &mut self.queues[q as usize];
        qu.visible += 1;
        if qu.cfg.fifo {
            let g = match qu.group_index.get(&msg.group_key) {
                Some(&g) => g,
                None => {
                    let g = qu.groups.len() as u32;
                    qu.groups.push(Group::default());
                    qu.group_index.insert(msg.group_key, g);
                    g
                }
            };
            if !msg.group.is(g) {
                // New in this group: join at the back (arrival order).
                msg.group = OptId::some(g);
                qu.groups[g as usize].msgs.push_back(m);
            }
            self.fifo_update_ready(q, g);
        } else {
            qu.heap.push(Reverse((msg.order, m, msg.receipt)));
        }
    }

    fn fifo_update_ready(&mut self, q: u32, g: u32) {
        let qu = &mut self.queues[q as usize];
        let grp = &qu.groups[g as usize];
        let want = if grp.in_flight == 0 {
            grp.msgs.front().map(|&f| self.msgs[f as usize].seq)
        } else {
            None
        };
        if want != grp.ready_key {
            if let Some(k) = grp.ready_key {
                qu.ready.remove(&(k, g));
            }
            if let Some(k) = want {
                qu.ready.insert((k, g));
            }
            qu.groups[g as usize].ready_key = want;
        }
    }

    /// Whether a receive on the queue could return a message now.
    pub fn has_receivable(&self, q: u32) -> bool {
        let qu = &self.queues[q as usize];
        if qu.in_flight >= qu.cfg.in_flight_limit as u64 {
            return false;
        }
        if qu.cfg.fifo {
            !qu.ready.is_empty()
        } else {
            qu.visible > 0
        }
    }

    /// ReceiveMessage at `now` (the request was made at `requested_at`, the
    /// same time unless a long poll waited), up to `max` messages; a short
    /// poll samples. Returned `(slot, receipt)` pairs go to `out`; messages
    /// moved to a dead-letter queue on the way go to `moved`.
    #[allow(clippy::too_many_arguments)]
    pub fn receive(
        &mut self,
        q: u32,
        now: SimTime,
        requested_at: SimTime,
        max: u32,
        short_poll: bool,
        out: &mut Vec<(u32, u32)>,
        moved: &mut Vec<Moved>,
    ) -> ReceiveStatus {
        out.clear();
        let fifo = self.queues[q as usize].cfg.fifo;
        if fifo {
            self.fifo_window(q, now);
            let qu = &mut self.queues[q as usize];
            if !fifo_call_allowed(qu.window_receives, qu.cfg.calls_per_second) {
                qu.totals.throttled += 1;
                return ReceiveStatus::Throttled;
            }
            qu.window_receives += 1;
        }
        let qu = &mut self.queues[q as usize];
        let room = (qu.cfg.in_flight_limit as u64).saturating_sub(qu.in_flight);
        if room == 0 {
            if short_poll {
                qu.totals.requests += 1;
                qu.totals.over_limit += 1;
                return ReceiveStatus::OverLimit;
            }
            // Long polling at the limit: no error, the call waits.
            return ReceiveStatus::Empty;
        }
        let mut want = (max as u64).min(room);
        if short_poll {
            let sample = qu.cfg.short_poll_sample;
            let visible = qu.visible;
            let found = short_poll_found(visible, sample, &mut qu.rng);
            want = want.min(found);
        }
        let redrive = qu.cfg.redrive;
        if fifo {
            // As many messages of the first available group as possible, in
            // order, then the next group's (`SQS:FIFO-queues-understanding-logic`).
            while (out.len() as u64) < want {
                let Some(&(_, g)) = self.queues[q as usize].ready.first() else {
                    break;
                };
                let mut i = 0;
                while (out.len() as u64) < want {
                    let Some(&m) = self.queues[q as usize].groups[g as usize].msgs.get(i) else {
                        break;
                    };
                    if self.redrive_if_due(m, redrive, now, moved) {
                        continue;
                    }
                    let r = self.deliver(m, now, requested_at);
                    out.push((m, r));
                    i += 1;
                }
            }
        } else {
            while (out.len() as u64) < want {
                let Some(m) = self.next_visible(q) else {
                    break;
                };
                if self.redrive_if_due(m, redrive, now, moved) {
                    continue;
                }
                let r = self.deliver(m, now, requested_at);
                out.push((m, r));
            }
        }
        if out.is_empty() {
            // A long poll waits (the caller ends it with `empty_receive`
            // if nothing comes); a short poll answers empty now.
            if short_poll {
                self.empty_receive(q);
            }
            ReceiveStatus::Empty
        } else {
            let payload: u64 = out.iter().map(|&(m, _)| self.msgs[m as usize].size).sum();
            self.bill(q, payload);
            ReceiveStatus::Messages(out.len() as u32)
        }
    }

    /// A ReceiveMessage call answered with no message (a short poll, or a
    /// long poll whose wait ended): NumberOfEmptyReceives, one request.
    pub fn empty_receive(&mut self, q: u32) {
        let qu = &mut self.queues[q as usize];
        qu.totals.empty_receives += 1;
        qu.period.empty_receives += 1;
        qu.totals.requests += 1;
    }

    /// Standard: the front of the visible order.
    fn next_visible(&mut self, q: u32) -> Option<u32> {
        let qu = &mut self.queues[q as usize];
        while let Some(Reverse((order, m, r))) = qu.heap.pop() {
            let msg = &self.msgs[m as usize];
            if msg.state == MsgState::Visible
                && msg.queue.is(q)
                && msg.order == order
                && msg.receipt == r
            {
                return Some(m);
            }
        }
        None
    }

    /// The redrive policy: a receive that finds a message at its
    /// maxReceiveCount moves it to the dead-letter queue instead of
    /// returning it. Returns whether it moved.
    fn redrive_if_due(
        &mut self,
        m: u32,
        redrive: Option<(u32, u32)>,
        now: SimTime,
        moved: &mut Vec<Moved>,
    ) -> bool {
        let Some((dlq, max_rc)) = redrive else {
            return false;
        };
        let msg = &self.msgs[m as usize];
        if !moves_to_dead_letter_queue(msg.receive_count, max_rc) {
            return false;
        }
        let (rc, id, from) = (msg.receive_count, msg.id, msg.queue.known());
        self.move_to_dlq(m, dlq, now);
        moved.push(Moved {
            msg: m,
            id,
            from,
            to: dlq,
            receive_count: rc,
        });
        true
    }

    /// Return a visible message to a receiver: in flight, a new receipt, the
    /// visibility timer started.
    fn deliver(&mut self, m: u32, now: SimTime, requested_at: SimTime) -> u32 {
        let msg = &mut self.msgs[m as usize];
        let q = msg.queue.known();
        let qu = &mut self.queues[q as usize];
        msg.state = MsgState::InFlight;
        msg.receive_count += 1;
        msg.receives_here += 1;
        msg.receipt = msg.receipt.wrapping_add(1);
        msg.requested_at = requested_at;
        msg.visible_at = visibility_deadline(now, qu.cfg.visibility_timeout);
        msg.lost_delete = !qu.cfg.fifo
            && qu.cfg.duplicate_rate > 0.0
            && qu.rng.random::<f64>() < qu.cfg.duplicate_rate;
        qu.visible -= 1;
        qu.in_flight += 1;
        qu.totals.received += 1;
        qu.period.received += 1;
        if msg.receive_count >= 2 {
            qu.totals.redelivered += 1;
            if qu.period.redelivered == 0 {
                qu.period.first_redelivery = now;
            }
            qu.period.redelivered += 1;
        }
        let r = msg.receipt;
        if qu.cfg.fifo {
            let g = msg.group.known();
            // The group is locked while a message of it is in flight.
            qu.groups[g as usize].in_flight += 1;
            self.fifo_update_ready(q, g);
        }
        r
    }

    /// Move a visible message to the dead-letter queue.
    fn move_to_dlq(&mut self, m: u32, dlq: u32, now: SimTime) {
        let src = self.msgs[m as usize].queue.known();
        self.take_out(m, now);
        self.queues[src as usize].totals.dead_lettered += 1;
        let d = &mut self.queues[dlq as usize];
        let seq = d.next_seq;
        d.next_seq += 1;
        let fifo = d.cfg.fifo;
        d.totals.moved_in += 1;
        let msg = &mut self.msgs[m as usize];
        msg.queue = OptId::some(dlq);
        msg.seq = seq;
        msg.order = seq;
        msg.group = OptId::NONE;
        msg.enqueued_at = dead_letter_enqueue_timestamp(fifo, msg.enqueued_at, now);
        msg.arrived_at = now;
        msg.receives_here = 0;
        self.index(m);
        self.make_visible(m);
    }

    /// Take a message out of its queue's structures and counts (it stays in
    /// its slot).
    fn take_out(&mut self, m: u32, now: SimTime) {
        self.unindex(m, now);
        let msg = &self.msgs[m as usize];
        let q = msg.queue.known();
        let state = msg.state;
        let g = msg.group;
        let qu = &mut self.queues[q as usize];
        match state {
            MsgState::Visible => qu.visible -= 1,
            MsgState::InFlight => qu.in_flight -= 1,
            MsgState::Delayed => qu.delayed -= 1,
            MsgState::Free => {}
        }
        if qu.cfg.fifo
            && let Some(g) = g.get()
        {
            let grp = &mut qu.groups[g as usize];
            if let Some(k) = grp.msgs.iter().position(|&x| x == m) {
                grp.msgs.remove(k);
            }
            if state == MsgState::InFlight {
                grp.in_flight -= 1;
            }
            self.fifo_update_ready(q, g);
        }
        // Standard: its heap entry goes stale with the state change.
        self.msgs[m as usize].state = MsgState::Free;
    }

    fn release(&mut self, m: u32) {
        let msg = &mut self.msgs[m as usize];
        msg.state = MsgState::Free;
        // Receipts of the next incarnation start above every earlier one.
        self.free.push_back(m);
    }

    /// The visibility deadline of a receipt has come: back to visible.
    /// Returns whether it did.
    pub fn visibility_due(&mut self, m: u32, receipt: u32, now: SimTime) -> bool {
        let msg = &mut self.msgs[m as usize];
        if msg.state != MsgState::InFlight || msg.receipt != receipt || msg.visible_at > now {
            return false;
        }
        let q = msg.queue.known();
        let qu = &mut self.queues[q as usize];
        qu.in_flight -= 1;
        if !qu.cfg.fifo && returns_to_back(msg.receives_here) {
            msg.order = qu.next_seq;
            qu.next_seq += 1;
        }
        if qu.cfg.fifo {
            let g = msg.group.known();
            qu.groups[g as usize].in_flight -= 1;
        }
        msg.lost_delete = false;
        self.make_visible(m);
        true
    }

    /// Whether `(m, receipt)` still names the message received then (not a
    /// later message in the same slot, nor a deleted one).
    pub fn same_message(&self, m: u32, receipt: u32) -> bool {
        let msg = &self.msgs[m as usize];
        msg.state != MsgState::Free && receipt > msg.first_receipt && receipt <= msg.receipt
    }

    /// DeleteMessage on queue `q` with the receipt handle `(m, receipt)`. A
    /// message moved to a dead-letter queue is gone from `q`.
    pub fn delete(&mut self, q: u32, m: u32, receipt: u32, now: SimTime) -> DeleteOutcome {
        if !self.same_message(m, receipt) || !self.msgs[m as usize].queue.is(q) {
            return DeleteOutcome::Gone;
        }
        let msg = &self.msgs[m as usize];
        let fifo = self.queues[q as usize].cfg.fifo;
        let current = msg.receipt == receipt;
        let in_flight = msg.state == MsgState::InFlight;
        let window_open = current && in_flight && msg.visible_at > now;
        let held_elsewhere = !current && in_flight && msg.visible_at > now;
        match delete_rule(fifo, current, held_elsewhere, window_open) {
            DeleteRule::Error => DeleteOutcome::Failed,
            DeleteRule::Ignore => DeleteOutcome::NotDeleted,
            DeleteRule::Delete => {
                if current && in_flight && msg.lost_delete {
                    self.msgs[m as usize].lost_delete = false;
                    return DeleteOutcome::Lost;
                }
                self.take_out(m, now);
                let qu = &mut self.queues[q as usize];
                qu.totals.deleted += 1;
                qu.period.deleted += 1;
                self.release(m);
                DeleteOutcome::Deleted
            }
        }
    }

    /// ChangeMessageVisibility on queue `q` of the receipt `(m, receipt)` to
    /// `timeout` from now: the new deadline.
    pub fn change_visibility(
        &mut self,
        q: u32,
        m: u32,
        receipt: u32,
        now: SimTime,
        timeout: SimTime,
    ) -> Result<SimTime, VisibilityError> {
        let msg = &mut self.msgs[m as usize];
        if !msg.queue.is(q)
            || msg.state != MsgState::InFlight
            || msg.receipt != receipt
            || msg.visible_at <= now
        {
            return Err(VisibilityError::ReceiptInvalid);
        }
        let t = visibility_change(now, msg.requested_at, timeout)?;
        msg.visible_at = t;
        Ok(t)
    }

    /// When the next message of the queue reaches the end of its retention.
    pub fn next_expiry(&self, q: u32) -> Option<SimTime> {
        let qu = &self.queues[q as usize];
        match &qu.by_expiry {
            Some(e) => e.first().map(|k| k.0),
            None => qu
                .by_arrival
                .first_key_value()
                .map(|(_, &m)| expires_at(self.msgs[m as usize].enqueued_at, qu.cfg.retention)),
        }
    }

    /// Remove the messages whose retention has ended; returns how many.
    pub fn expire_due(&mut self, q: u32, now: SimTime) -> u64 {
        let mut n = 0;
        while let Some(t) = self.next_expiry(q) {
            if t > now {
                break;
            }
            let qu = &self.queues[q as usize];
            let m = match &qu.by_expiry {
                Some(e) => e.first().map(|k| k.2),
                None => qu.by_arrival.first_key_value().map(|(_, &m)| m),
            };
            let Some(m) = m else { break };
            self.take_out(m, now);
            self.queues[q as usize].totals.expired += 1;
            self.release(m);
            n += 1;
        }
        n
    }

    /// A consumer starts processing the message it received as
    /// `(m, receipt)` from queue `q`: returns whether that is a duplicate —
    /// the message is being processed, or was processed, already (a message
    /// gone meanwhile counts as processed: deleted by another consumer).
    pub fn start_processing(&mut self, q: u32, m: u32, receipt: u32) -> bool {
        let dup = if self.same_message(m, receipt) {
            let msg = &mut self.msgs[m as usize];
            let mut dup = msg.processing > 0 || msg.processed;
            msg.processing += 1;
            if msg.twin {
                let t = self.twins.entry(msg.logical).or_default();
                dup |= t.0 > 0 || t.1;
                t.0 += 1;
            }
            dup
        } else {
            true
        };
        if dup {
            self.queues[q as usize].totals.duplicates_processed += 1;
        }
        dup
    }

    /// A consumer stops processing `(m, receipt)`: finished (`success`), or
    /// failed or dropped.
    pub fn end_processing(&mut self, m: u32, receipt: u32, success: bool) {
        if self.same_message(m, receipt) {
            let msg = &mut self.msgs[m as usize];
            msg.processing = msg.processing.saturating_sub(1);
            if success {
                msg.processed = true;
            }
            if msg.twin
                && let Some(t) = self.twins.get_mut(&msg.logical)
            {
                t.0 = t.0.saturating_sub(1);
                t.1 |= success;
            }
        }
    }

    /// ApproximateAgeOfOldestMessage, ns: the oldest message of the queue
    /// that counts for the metric.
    pub fn age_of_oldest(&self, q: u32, now: SimTime) -> SimTime {
        for &m in self.queues[q as usize].by_arrival.values() {
            let msg = &self.msgs[m as usize];
            if counts_for_age_metric(msg.receives_here) {
                return now.saturating_sub(msg.arrived_at);
            }
        }
        0
    }

    /// The largest age a message reached in the queue, up to `now`.
    pub fn max_age(&self, q: u32, now: SimTime) -> SimTime {
        let qu = &self.queues[q as usize];
        let oldest = qu
            .by_arrival
            .first_key_value()
            .map(|(_, &m)| now.saturating_sub(self.msgs[m as usize].arrived_at))
            .unwrap_or(0);
        qu.totals.max_age.max(oldest)
    }

    /// Cost of the queue's requests.
    pub fn cost_usd(&self, q: u32) -> f64 {
        let qu = &self.queues[q as usize];
        qu.totals.requests as f64 / 1e6 * price_per_million(qu.cfg.fifo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::stream;

    const S: SimTime = SECOND;
    const DAY: SimTime = 86_400 * S;

    fn sqs(cfgs: Vec<QueueConfig>) -> Sqs {
        let rngs = cfgs.iter().map(|c| stream(1, &c.name)).collect();
        Sqs::new(cfgs, rngs)
    }

    /// Every message sent or moved in is in exactly one place.
    fn conserved(s: &Sqs) {
        for q in &s.queues {
            let t = &q.totals;
            assert_eq!(
                t.sent + t.moved_in,
                t.deleted + t.dead_lettered + t.expired + q.visible + q.in_flight + q.delayed,
                "queue {}",
                q.cfg.name
            );
        }
    }

    fn recv(s: &mut Sqs, q: u32, now: SimTime, max: u32) -> (Vec<(u32, u32)>, Vec<Moved>) {
        let mut out = Vec::new();
        let mut moved = Vec::new();
        s.receive(q, now, now, max, false, &mut out, &mut moved);
        (out, moved)
    }

    #[test]
    fn we_24_change_message_visibility_counts_from_the_call() {
        // Rule: timeout 60 s; 15 s after the receive, change to 10 s → 25 s.
        assert_eq!(visibility_change(15 * S, 0, 10 * S), Ok(25 * S));
        // Through a queue.
        let mut c = QueueConfig::new("q", false);
        c.visibility_timeout = 60 * S;
        let mut s = sqs(vec![c]);
        s.send(0, 0, 1024, 0, 1, false);
        let (got, _) = recv(&mut s, 0, 0, 1);
        let (m, r) = got[0];
        assert_eq!(s.msgs[m as usize].visible_at, 60 * S);
        assert_eq!(s.change_visibility(0, m, r, 15 * S, 10 * S), Ok(25 * S));
        assert!(!s.visibility_due(m, r, 25 * S - 1));
        assert!(s.visibility_due(m, r, 25 * S));
        // After that, a delete or change with the old receipt is not valid
        // for the receipt: changing fails.
        assert_eq!(
            s.change_visibility(0, m, r, 26 * S, 10 * S),
            Err(VisibilityError::ReceiptInvalid)
        );
        // The next receive reverts to the queue's 60 s.
        let (got, _) = recv(&mut s, 0, 30 * S, 1);
        assert_eq!(got[0].0, m);
        assert_eq!(s.msgs[m as usize].visible_at, 90 * S);
        assert_eq!(s.msgs[m as usize].receive_count, 2);
        conserved(&s);
    }

    #[test]
    fn we_26_twelve_hour_cap_from_the_receive_request() {
        // Immediately after the receive (here 5 ms later, the call's round
        // trip): 43,200 s fails, 43,195 s works.
        let after = 5_000_000;
        assert_eq!(
            visibility_change(after, 0, 43_200 * S),
            Err(VisibilityError::ExceedsMaximum)
        );
        assert_eq!(
            visibility_change(after, 0, 43_195 * S),
            Ok(after + 43_195 * S)
        );
        // Extending does not reset the cap: 11 h in, 1 h more fails.
        assert!(visibility_change(11 * 3600 * S + 1, 0, 3600 * S).is_err());
        let mut s = sqs(vec![QueueConfig::new("q", false)]);
        s.send(0, 0, 10, 0, 1, false);
        let (got, _) = recv(&mut s, 0, 0, 1);
        let (m, r) = got[0];
        assert_eq!(
            s.change_visibility(0, m, r, after, 43_200 * S),
            Err(VisibilityError::ExceedsMaximum)
        );
        assert!(s.change_visibility(0, m, r, after, 43_195 * S).is_ok());
        conserved(&s);
    }

    #[test]
    fn we_27_max_receive_count_five() {
        assert!(!moves_to_dead_letter_queue(4, 5));
        assert!(moves_to_dead_letter_queue(5, 5));
        let mut c = QueueConfig::new("src", false);
        c.redrive = Some((1, 5));
        let mut s = sqs(vec![c, QueueConfig::new("dlq", false)]);
        s.send(0, 0, 10, 0, 1, false);
        let mut t = 0;
        let mut last = (0, 0);
        for n in 1..=5 {
            let (got, moved) = recv(&mut s, 0, t, 1);
            last = got[0];
            assert_eq!(got.len(), 1, "receive {n}");
            assert!(moved.is_empty());
            assert_eq!(s.msgs[got[0].0 as usize].receive_count, n);
            t += 30 * S;
            assert!(s.visibility_due(got[0].0, got[0].1, t));
        }
        // The 6th attempt moves it and returns nothing.
        let (got, moved) = recv(&mut s, 0, t, 1);
        assert!(got.is_empty());
        assert_eq!(moved.len(), 1);
        assert_eq!(moved[0].receive_count, 5);
        let (src, dlq) = (&s.queues[0].totals, &s.queues[1].totals);
        assert_eq!(
            (src.received, src.redelivered, src.dead_lettered),
            (5, 4, 1)
        );
        assert_eq!((dlq.moved_in, s.queues[1].visible), (1, 1));
        // A late delete with the last receipt handle of the source queue
        // does not reach the message in the dead-letter queue.
        assert_eq!(s.delete(0, last.0, last.1, t), DeleteOutcome::Gone);
        assert_eq!(s.queues[1].visible, 1);
        assert_eq!(s.queues[0].visible + s.queues[0].in_flight, 0);
        conserved(&s);
    }

    fn we_25(fifo: bool) -> (SimTime, SimTime) {
        // A message spends 1 day in the source queue (two receives 12 h
        // apart, never deleted, maxReceiveCount 2), then moves; the DLQ keeps
        // messages 4 days.
        let mut c = QueueConfig::new("src", fifo);
        c.visibility_timeout = 12 * 3600 * S;
        c.redrive = Some((1, 2));
        let mut d = QueueConfig::new("dlq", fifo);
        d.retention = 4 * DAY;
        let mut s = sqs(vec![c, d]);
        s.send(0, 0, 10, 7, 1, false);
        for k in 0..2 {
            let t = k * DAY / 2;
            let (got, _) = recv(&mut s, 0, t, 1);
            assert!(s.visibility_due(got[0].0, got[0].1, t + DAY / 2));
        }
        let (got, moved) = recv(&mut s, 0, DAY, 1);
        assert!(got.is_empty() && moved.len() == 1);
        let gone = s.next_expiry(1).expect("in the DLQ");
        assert_eq!(s.expire_due(1, gone - 1), 0);
        assert_eq!(s.age_of_oldest(1, gone - 1), gone - 1 - DAY);
        assert_eq!(s.expire_due(1, gone), 1);
        conserved(&s);
        (gone - DAY, s.max_age(1, gone))
    }

    #[test]
    fn we_25_dead_letter_queue_retention() {
        // Standard keeps the original enqueue timestamp: deleted 3 days
        // after the move; the DLQ's age metric counts from the move.
        assert_eq!(we_25(false), (3 * DAY, 3 * DAY));
        // FIFO resets it: 4 days.
        assert_eq!(we_25(true), (4 * DAY, 4 * DAY));
        assert_eq!(dead_letter_enqueue_timestamp(false, 5, 9), 5);
        assert_eq!(dead_letter_enqueue_timestamp(true, 5, 9), 9);
    }

    #[test]
    fn fifo_groups_in_order_one_receipt_at_a_time() {
        let mut s = sqs(vec![QueueConfig::new("f.fifo", true)]);
        // Group A: 1, 2, 3; group B: 4, 5 (interleaved sends).
        for (i, g) in [(1, 'A'), (4, 'B'), (2, 'A'), (5, 'B'), (3, 'A')] {
            s.send(0, 0, 10, g as u64, i, false);
        }
        // A batch of 2 takes A's first two, in order.
        let (got, _) = recv(&mut s, 0, 0, 2);
        let ids: Vec<u64> = got
            .iter()
            .map(|&(m, _)| s.msgs[m as usize].logical)
            .collect();
        assert_eq!(ids, vec![1, 2]);
        // A is locked: the next receive serves B only, then fills nothing
        // from A.
        let (got2, _) = recv(&mut s, 0, 0, 10);
        let ids2: Vec<u64> = got2
            .iter()
            .map(|&(m, _)| s.msgs[m as usize].logical)
            .collect();
        assert_eq!(ids2, vec![4, 5]);
        let (none, _) = recv(&mut s, 0, 0, 10);
        assert!(none.is_empty());
        // Deleting A's two unlocks A: 3 comes next.
        for &(m, r) in &got {
            assert_eq!(s.delete(0, m, r, S), DeleteOutcome::Deleted);
        }
        let (got3, _) = recv(&mut s, 0, S, 10);
        let ids3: Vec<u64> = got3
            .iter()
            .map(|&(m, _)| s.msgs[m as usize].logical)
            .collect();
        assert_eq!(ids3, vec![3]);
        conserved(&s);
    }

    #[test]
    fn fifo_fills_a_batch_from_the_next_group() {
        let mut s = sqs(vec![QueueConfig::new("f.fifo", true)]);
        s.send(0, 0, 10, 1, 1, false);
        s.send(0, 0, 10, 2, 2, false);
        s.send(0, 0, 10, 2, 3, false);
        let (got, _) = recv(&mut s, 0, 0, 10);
        let ids: Vec<u64> = got
            .iter()
            .map(|&(m, _)| s.msgs[m as usize].logical)
            .collect();
        assert_eq!(ids, vec![1, 2, 3]);
        conserved(&s);
    }

    #[test]
    fn fifo_deduplicates_within_five_minutes() {
        assert!(is_duplicate_send(Some(0), 299 * S));
        assert!(!is_duplicate_send(Some(0), 300 * S));
        let mut s = sqs(vec![QueueConfig::new("f.fifo", true)]);
        assert!(matches!(
            s.send(0, 0, 10, 0, 1, false),
            SendOutcome::Accepted { .. }
        ));
        assert_eq!(
            s.send(0, 299 * S, 10, 0, 1, false),
            SendOutcome::Deduplicated
        );
        assert!(matches!(
            s.send(0, 301 * S, 10, 0, 1, false),
            SendOutcome::Accepted { .. }
        ));
        assert_eq!(s.queues[0].totals.sent, 2);
        assert_eq!(s.queues[0].totals.deduplicated, 1);
        conserved(&s);
    }

    #[test]
    fn fifo_throughput_and_size_limits() {
        let mut s = sqs(vec![QueueConfig::new("f.fifo", true)]);
        let mut ok = 0;
        for i in 0..400 {
            if let SendOutcome::Accepted { .. } = s.send(0, S / 2, 10, i, i, false) {
                ok += 1;
            }
        }
        assert_eq!(ok, 300);
        assert_eq!(s.queues[0].totals.throttled, 100);
        assert!(matches!(
            s.send(0, S, 10, 0, 999, false),
            SendOutcome::Accepted { .. }
        ));
        assert_eq!(
            s.send(0, S, MAX_MESSAGE_SIZE + 1, 0, 1000, false),
            SendOutcome::TooLarge
        );
        assert!(message_size_ok(MAX_MESSAGE_SIZE, MAX_MESSAGE_SIZE));
        conserved(&s);
    }

    #[test]
    fn delete_rules_by_queue_type() {
        // FIFO: outside the visibility window a delete fails.
        assert_eq!(delete_rule(true, true, false, false), DeleteRule::Error);
        assert_eq!(delete_rule(true, true, false, true), DeleteRule::Delete);
        assert_eq!(delete_rule(true, false, true, false), DeleteRule::Error);
        // Standard: an older receipt deletes unless another receipt holds it.
        assert_eq!(delete_rule(false, false, false, false), DeleteRule::Delete);
        assert_eq!(delete_rule(false, false, true, false), DeleteRule::Ignore);
        let mut s = sqs(vec![QueueConfig::new("q", false)]);
        s.send(0, 0, 10, 0, 1, false);
        let (a, _) = recv(&mut s, 0, 0, 1);
        assert!(s.visibility_due(a[0].0, a[0].1, 30 * S));
        let (b, _) = recv(&mut s, 0, 31 * S, 1);
        assert_eq!(
            s.delete(0, a[0].0, a[0].1, 40 * S),
            DeleteOutcome::NotDeleted
        );
        assert_eq!(s.delete(0, b[0].0, b[0].1, 41 * S), DeleteOutcome::Deleted);
        assert_eq!(s.delete(0, b[0].0, b[0].1, 42 * S), DeleteOutcome::Gone);
        assert_eq!(s.queues[0].totals.deleted, 1);
        conserved(&s);
    }

    #[test]
    fn short_polling_finds_fewer_below_a_thousand_messages() {
        // With the default sample, a receive of 10 is most likely short
        // below ~1,000 visible messages and most likely full well above.
        let mut r = stream(3, "short");
        let n = 2000;
        let short = |v: u64, r: &mut Rng| {
            (0..n)
                .filter(|_| short_poll_found(v, DEFAULT_SHORT_POLL_SAMPLE, r) < 10)
                .count() as f64
                / n as f64
        };
        assert!(short(500, &mut r) > 0.9);
        assert!(short(3000, &mut r) < 0.01);
        assert_eq!(short_poll_found(7, 1.0, &mut r), 7);
    }

    #[test]
    fn billing_counts_64k_chunks() {
        assert_eq!(billable_requests(0), 1);
        assert_eq!(billable_requests(65_536), 1);
        assert_eq!(billable_requests(65_537), 2);
        assert_eq!(billable_requests(256 * 1024), 4);
        assert_eq!(price_per_million(false), 0.40);
        assert_eq!(price_per_million(true), 0.50);
    }

    #[test]
    fn standard_order_returns_to_back_after_three_receives() {
        let mut s = sqs(vec![QueueConfig::new("q", false)]);
        s.send(0, 0, 10, 0, 1, false);
        s.send(0, 0, 10, 0, 2, false);
        // Message 1 is received and comes back: it keeps its place.
        for k in 0..3u64 {
            let (got, _) = recv(&mut s, 0, k * 30 * S, 1);
            assert_eq!(s.msgs[got[0].0 as usize].logical, 1, "receive {k}");
            assert!(s.visibility_due(got[0].0, got[0].1, (k + 1) * 30 * S));
        }
        // After its 3rd receive it went to the back: 2 comes first, and
        // the age metric skips it.
        assert_eq!(s.age_of_oldest(0, 100 * S), 100 * S);
        let (got, _) = recv(&mut s, 0, 90 * S, 1);
        assert_eq!(s.msgs[got[0].0 as usize].logical, 2);
        assert_eq!(
            s.delete(0, got[0].0, got[0].1, 91 * S),
            DeleteOutcome::Deleted
        );
        assert_eq!(s.age_of_oldest(0, 100 * S), 0);
        conserved(&s);
    }
}
