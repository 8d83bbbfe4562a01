//! Work-order creates committed in groups.
//!
//! A call center creates orders all day from many desks at once, and every
//! create must take the one write transaction a database allows at a time
//! on SQLite (and the numbering counter's row on PostgreSQL). Committed one
//! by one, a create holds that turn for a dozen round trips between the
//! request's task and the connection — begin, number, order, event, audit,
//! commit, release — and the turn, not the machine, limits throughput.
//!
//! So a checked create is queued here, and one writer writes whatever is
//! queued in a single transaction with one statement per table: the numbers
//! of each numbering rule and day in one upsert, the orders, their first
//! timeline events and their audit rows in one insert each. Nothing waits
//! to fill a group: the first create is written at once, and those that
//! arrive meanwhile form the next group.
//!
//! If a group fails, it is rolled back and split in halves, each written
//! on its own, down to the one create that fails alone: its error (a
//! request token already used, a photo over the limit) is its own and never
//! another's.

use std::{
    collections::{HashMap, VecDeque},
    sync::OnceLock,
};

use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use domain::{audit::AuditAction, workorder::photo::PhotoStage};
use sea_orm::{ActiveValue::Set, EntityTrait};
use tokio::sync::{mpsc, oneshot};

use super::photo::{self, StoredPhoto};
use crate::{
    audit::{self, Change},
    entity::{numbering_rule, work_order, work_order_event},
    settings, AppError, AppResult, Caller, Db,
};

/// Creates written in one transaction at most (a power of two): bounded so
/// that a group's statements stay well under SQLite's limit of bound
/// parameters.
const MAX_GROUP: usize = 64;

/// A checked create, waiting for the writer: everything but its number.
pub(super) struct Draft {
    pub order: work_order::ActiveModel,
    pub rule: numbering_rule::Model,
    /// The local day the number is taken for.
    pub day: NaiveDate,
    /// The zone of the day, and of the month the order is tallied in.
    pub tz: Tz,
    pub caller: Caller,
    pub photos: Vec<StoredPhoto>,
}

/// What a create wrote.
pub(super) struct Created {
    pub order: work_order::Model,
    pub event: work_order_event::Model,
}

struct Job {
    draft: Draft,
    reply: oneshot::Sender<AppResult<Created>>,
}

/// The queue of one database handle (shared by its clones), and the thread
/// that writes it, started with the first create.
#[derive(Default)]
pub struct Intake {
    queue: OnceLock<mpsc::UnboundedSender<Job>>,
}

impl Intake {
    /// Queues the create and waits until it is committed (or has failed).
    /// The create is written even if the caller stops waiting, like a
    /// transaction already sent; a request token makes a retry safe.
    pub(super) async fn submit(&self, db: &Db, draft: Draft) -> AppResult<Created> {
        let (reply, answer) = oneshot::channel();
        let stopped = || AppError::Internal(anyhow::anyhow!("the work-order writer stopped"));
        self.queue.get_or_init(|| start(db)).send(Job { draft, reply }).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// Starts the writer: a thread with a runtime of its own. On the server's
/// runtime the writer's task would wait, at each of a group's round trips
/// to the database, behind every request woken before it, and the writer's
/// turn would go idle meanwhile. It holds a handle without the queue, so it
/// ends when the last handle with the queue is dropped.
fn start(db: &Db) -> mpsc::UnboundedSender<Job> {
    let (queue, jobs) = mpsc::unbounded_channel();
    let db = db.without_intake();
    std::thread::Builder::new()
        .name("work-order-writer".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("the writer's runtime");
            rt.block_on(write_groups(db, jobs));
        })
        .expect("the writer's thread");
    queue
}

async fn write_groups(db: Db, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let mut queued: VecDeque<Job> = VecDeque::new();
    loop {
        if queued.is_empty() {
            match jobs.recv().await {
                Some(job) => queued.push_back(job),
                None => return,
            }
        }
        while queued.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => queued.push_back(job),
                Err(_) => break,
            }
        }
        // A power of two: every size of group is a statement each connection
        // prepares and keeps, and 64 sizes of a 64-row insert took tens of
        // megabytes; seven sizes take a few.
        let size = 1 << queued.len().ilog2();
        let (drafts, replies): (Vec<Draft>, Vec<_>) = queued.drain(..size).map(|j| (j.draft, j.reply)).unzip();
        for (reply, written) in replies.into_iter().zip(write_or_split(&db, &drafts).await) {
            let _ = reply.send(written);
        }
    }
}

/// Writes the drafts in one transaction; if that fails, each half in its
/// own, down to the one create that fails alone: the others are written
/// whatever it did, and still in groups.
async fn write_or_split(db: &Db, drafts: &[Draft]) -> Vec<AppResult<Created>> {
    match write(db, drafts).await {
        Ok(created) => created.into_iter().map(Ok).collect(),
        Err(e) if drafts.len() == 1 => vec![Err(e)],
        Err(_) => {
            let (first, second) = drafts.split_at(drafts.len() / 2);
            let mut written = Box::pin(write_or_split(db, first)).await;
            written.extend(Box::pin(write_or_split(db, second)).await);
            written
        }
    }
}

/// Writes the drafts in one transaction; the result is in their order.
async fn write(db: &Db, drafts: &[Draft]) -> AppResult<Vec<Created>> {
    let txn = db.begin().await?;
    let mut orders: Vec<work_order::ActiveModel> = drafts.iter().map(|d| d.order.clone()).collect();
    for ((_, day), idx) in by_rule_and_day(drafts) {
        let numbers = settings::reserve_by_rule(&*txn, &drafts[idx[0]].rule, day, idx.len() as i64).await?;
        for (i, n) in idx.into_iter().zip(numbers) {
            orders[i].number = Set(n);
        }
    }
    // One server, one zone: every draft was checked in the same.
    let orders = super::insert_orders(&*txn, drafts[0].tz, orders).await?;
    for (d, o) in drafts.iter().zip(&orders).filter(|(d, _)| !d.photos.is_empty()) {
        photo::attach(&txn, &d.caller, o.id, PhotoStage::Report, &d.photos).await?;
    }
    let now = Utc::now();
    let rows = drafts.iter().zip(&orders).map(|(d, o)| {
        let note = if o.warranty { "新建（保修期内）" } else { "" };
        super::event_row(o.id, now, d.caller.user_id, &d.caller.display_name, "create", "", &o.state, note)
    });
    let mut events: HashMap<i32, work_order_event::Model> = work_order_event::Entity::insert_many(rows)
        .exec_with_returning_many(&*txn)
        .await?
        .into_iter()
        .map(|e| (e.work_order_id, e))
        .collect();
    let changes = drafts
        .iter()
        .zip(&orders)
        .map(|(d, o)| {
            let change = Change::new("work_order", o.id, AuditAction::Create)
                .company(Some(o.company_id))
                .summary(format!("新建工单 {}", o.number))
                .after(o);
            (&d.caller, change)
        })
        .collect();
    audit::record_all(&*txn, changes).await?;
    txn.commit().await?;
    orders
        .into_iter()
        .map(|order| {
            let event =
                events.remove(&order.id).ok_or_else(|| AppError::Internal(anyhow::anyhow!("event of {} not returned", order.number)))?;
            Ok(Created { order, event })
        })
        .collect()
}

/// The drafts' indexes per numbering rule and day, in arrival order, so
/// that numbers follow the order the creates came in.
fn by_rule_and_day(drafts: &[Draft]) -> Vec<((i32, NaiveDate), Vec<usize>)> {
    let mut groups: Vec<((i32, NaiveDate), Vec<usize>)> = Vec::new();
    for (i, d) in drafts.iter().enumerate() {
        let key = (d.rule.id, d.day);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, idx)) => idx.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    groups
}
