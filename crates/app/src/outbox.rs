//! The outbox (DESIGN.md): events written in the business transaction, so
//! they exist exactly when the change does, and delivered afterwards by a
//! worker with retries; the business transaction never waits for a channel.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use serde::Serialize;

use crate::{entity::outbox, AppError, AppResult};

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
