//! The outbox (DESIGN.md): events written in the business transaction, so
//! they exist exactly when the change does, and delivered afterwards by a
//! worker with retries; the business transaction never waits for a channel.
//!
//! Delivery (`deliver_pending`) takes the oldest due events, claims each with
//! a guarded update (two server processes never deliver one event twice) and
//! hands it to its topic in the same transaction, which also marks it
//! processed. A failure rolls the delivery back and records the attempt, the
//! error and when to try again (backoff); after [`MAX_ATTEMPTS`] the event is
//! left unprocessed with its last error, for an administrator to see.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};

use crate::{
    entity::{notification, outbox},
    AppError, AppResult, Db,
};

/// Writes an event of `topic` with a JSON payload inside the caller's transaction.
pub async fn publish(txn: &impl ConnectionTrait, topic: &str, payload: &impl Serialize) -> AppResult<()> {
    let payload = serde_json::to_string(payload).map_err(|e| AppError::Internal(e.into()))?;
    outbox::ActiveModel {
        topic: Set(topic.into()),
        payload: Set(payload),
        attempts: Set(0),
        last_error: Set(None),
        created_at: Set(Utc::now()),
        processed_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// The topic of staff notifications; its payload is a [`Notice`].
pub const NOTIFY: &str = "notify";

/// A notification to staff: one inbox entry per user. The in-app inbox is
/// its channel today; SMS and e-mail channels hook in where it is delivered
/// (`deliver_notice`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub user_ids: Vec<i32>,
    pub title: String,
    pub body: String,
    /// Where the notification leads, e.g. `/workorders/12`.
    pub link: String,
    /// What it is about, e.g. `escalation`.
    pub kind: String,
}

/// Attempts after which a failing event is given up (and stays visible).
pub const MAX_ATTEMPTS: i32 = 10;

/// Events delivered per call; the worker calls again a few seconds later.
const BATCH: u64 = 50;

/// The wait after the `failed`-th failed attempt: 30 s, doubling, at most an hour.
pub fn retry_delay(failed: i32) -> Duration {
    let exponent = failed.clamp(1, 8) - 1;
    (Duration::seconds(30) * 2_i32.pow(exponent as u32)).min(Duration::hours(1))
}

/// Delivers the events due at `now`, oldest first; returns how many were
/// delivered. A failing event does not stop the others.
pub async fn deliver_pending(db: &Db, now: DateTime<Utc>) -> AppResult<usize> {
    let due = outbox::Entity::find()
        .filter(outbox::Column::ProcessedAt.is_null())
        .filter(outbox::Column::Attempts.lt(MAX_ATTEMPTS))
        .filter(Condition::any().add(outbox::Column::NextAttemptAt.is_null()).add(outbox::Column::NextAttemptAt.lte(now)))
        .order_by_asc(outbox::Column::Id)
        .limit(BATCH)
        .all(&db.conn)
        .await?;
    let mut delivered = 0;
    for event in due {
        match deliver_one(db, &event, now).await? {
            Some(Ok(())) => delivered += 1,
            Some(Err(message)) => record_failure(db, &event, now, &message).await?,
            // Another process claimed it first.
            None => {}
        }
    }
    Ok(delivered)
}

/// Claims and delivers one event in one transaction: `None` when another
/// process took it, `Some(Err)` when delivery failed (nothing of it is kept).
async fn deliver_one(db: &Db, event: &outbox::Model, now: DateTime<Utc>) -> AppResult<Option<Result<(), String>>> {
    let txn = db.begin().await?;
    let claimed = outbox::Entity::update_many()
        .col_expr(outbox::Column::Attempts, Expr::col(outbox::Column::Attempts).add(1))
        .col_expr(outbox::Column::ProcessedAt, Expr::value(now))
        .filter(outbox::Column::Id.eq(event.id))
        .filter(outbox::Column::Attempts.eq(event.attempts))
        .filter(outbox::Column::ProcessedAt.is_null())
        .exec(&*txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    match route(&*txn, event).await {
        Ok(()) => {
            txn.commit().await?;
            Ok(Some(Ok(())))
        }
        Err(message) => {
            // Undoes the claim and any partial delivery.
            txn.rollback().await?;
            Ok(Some(Err(message)))
        }
    }
}

/// Hands an event to its topic. An unknown topic is a failure, recorded on
/// the row like any other, never silently dropped.
async fn route(txn: &impl ConnectionTrait, event: &outbox::Model) -> Result<(), String> {
    match event.topic.as_str() {
        NOTIFY => {
            let notice: Notice = serde_json::from_str(&event.payload).map_err(|e| format!("通知内容无法解析：{e}"))?;
            deliver_notice(txn, &notice, event.created_at).await.map_err(|e| format!("写入站内通知失败：{e}"))
        }
        other => Err(format!("未知的事件主题：{other}")),
    }
}

/// The in-app channel: one inbox row per user, dated when the event was raised.
async fn deliver_notice(txn: &impl ConnectionTrait, notice: &Notice, at: DateTime<Utc>) -> AppResult<()> {
    let mut users = notice.user_ids.clone();
    users.sort_unstable();
    users.dedup();
    if users.is_empty() {
        return Ok(());
    }
    let rows = users.into_iter().map(|user_id| notification::ActiveModel {
        user_id: Set(user_id),
        kind: Set(notice.kind.chars().take(32).collect()),
        title: Set(notice.title.chars().take(200).collect()),
        body: Set(notice.body.clone()),
        link: Set(notice.link.chars().take(200).collect()),
        read_at: Set(None),
        created_at: Set(at),
        ..Default::default()
    });
    notification::Entity::insert_many(rows).exec(txn).await?;
    Ok(())
}

/// Counts a failed attempt with its error and the time of the next one.
async fn record_failure(db: &Db, event: &outbox::Model, now: DateTime<Utc>, message: &str) -> AppResult<()> {
    let attempts = event.attempts + 1;
    if attempts >= MAX_ATTEMPTS {
        tracing::error!(event = event.id, topic = %event.topic, error = message, "outbox event given up after {attempts} attempts");
    } else {
        tracing::warn!(event = event.id, topic = %event.topic, error = message, "outbox delivery failed; will retry");
    }
    let txn = db.begin().await?;
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Attempts, Expr::value(attempts))
        .col_expr(outbox::Column::LastError, Expr::value(message.chars().take(2000).collect::<String>()))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(now + retry_delay(attempts)))
        .filter(outbox::Column::Id.eq(event.id))
        .filter(outbox::Column::Attempts.eq(event.attempts))
        .filter(outbox::Column::ProcessedAt.is_null())
        .exec(&*txn)
        .await?;
    txn.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour() {
        let delays: Vec<i64> = (1..=MAX_ATTEMPTS).map(|n| retry_delay(n).num_seconds()).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    }
}
