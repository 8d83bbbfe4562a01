use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use domain::{audit::AuditAction, messaging::AnnouncementStatus, FieldErrors};
use sea_orm::{
    sea_query::{Expr, Func, LikeExpr},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};
use serde::{Deserialize, Serialize};

use crate::{
    audit::{self, Change},
    db::claim_version,
    entity::{announcement, announcement_target, org_unit},
    list::like_pattern,
    org::unit,
    AppError, AppResult, Caller, Db, Page, PageRequest,
};

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AnnouncementInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub publish_from: Option<DateTime<Utc>>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub publish_to: Option<DateTime<Utc>>,
    /// Org units whose staff (and their sub-units') see it.
    #[serde(default)]
    pub target_unit_ids: Vec<i32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AnnouncementView {
    pub id: i32,
    pub org_unit_id: i32,
    pub title: String,
    pub body: String,
    pub status: String,
    pub status_label: &'static str,
    pub publish_from: DateTime<Utc>,
    pub publish_to: Option<DateTime<Utc>>,
    pub target_unit_ids: Vec<i32>,
    pub target_names: Vec<String>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

async fn views(db: &impl ConnectionTrait, rows: Vec<announcement::Model>) -> AppResult<Vec<AnnouncementView>> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let targets = announcement_target::Entity::find()
        .filter(announcement_target::Column::AnnouncementId.is_in(rows.iter().map(|a| a.id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    let names: std::collections::BTreeMap<i32, String> = org_unit::Entity::find()
        .filter(org_unit::Column::Id.is_in(targets.iter().map(|t| t.org_unit_id).collect::<BTreeSet<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|a| {
            let ids: Vec<i32> = targets.iter().filter(|t| t.announcement_id == a.id).map(|t| t.org_unit_id).collect();
            let status = AnnouncementStatus::from_code(&a.status);
            AnnouncementView {
                target_names: ids.iter().filter_map(|i| names.get(i).cloned()).collect(),
                target_unit_ids: ids,
                id: a.id,
                org_unit_id: a.org_unit_id,
                title: a.title,
                body: a.body,
                status_label: status.label(),
                status: a.status,
                publish_from: a.publish_from,
                publish_to: a.publish_to,
                updated_at: a.updated_at,
                version: a.version,
            }
        })
        .collect())
}

pub async fn list(db: &Db, caller: &Caller, req: &PageRequest) -> AppResult<Page<AnnouncementView>> {
    caller.require("announcement.view")?;
    let mut cond = caller.units_condition(announcement::Column::OrgUnitId);
    if let Some(k) = req.keyword() {
        let p = like_pattern(&k.to_lowercase());
        cond = cond
            .add(Condition::any().add(Expr::expr(Func::lower(Expr::col(announcement::Column::Title))).like(LikeExpr::new(p).escape('\\'))));
    }
    let query = announcement::Entity::find().filter(cond);
    let total = query.clone().count(&db.conn).await?;
    let rows = crate::list::page_rows(&db.conn, query.order_by_desc(announcement::Column::PublishFrom), req).await?;
    Ok(Page::new(views(&db.conn, rows).await?, total))
}

async fn get_model(db: &impl ConnectionTrait, caller: &Caller, id: i32) -> AppResult<announcement::Model> {
    announcement::Entity::find_by_id(id)
        .filter(caller.units_condition(announcement::Column::OrgUnitId))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn get(db: &Db, caller: &Caller, id: i32) -> AppResult<AnnouncementView> {
    caller.require("announcement.view")?;
    Ok(views(&db.conn, vec![get_model(&db.conn, caller, id).await?]).await?.remove(0))
}

/// Published announcements addressed to the caller's unit or any unit above
/// it, inside their publishing window: the workbench's list.
pub async fn for_workbench(db: &Db, caller: &Caller, limit: u64) -> AppResult<Vec<AnnouncementView>> {
    let me = org_unit::Entity::find_by_id(caller.org_unit_id).one(&db.conn).await?.ok_or(AppError::NotFound)?;
    let lineage: Vec<i32> = me.path.split('/').filter_map(|s| s.parse().ok()).collect();
    let addressed = announcement_target::Entity::find()
        .select_only()
        .column(announcement_target::Column::AnnouncementId)
        .filter(announcement_target::Column::OrgUnitId.is_in(lineage))
        .into_query();
    let now = Utc::now();
    let rows = announcement::Entity::find()
        .filter(announcement::Column::Id.in_subquery(addressed))
        .filter(announcement::Column::Status.eq(AnnouncementStatus::Published.code()))
        .filter(announcement::Column::PublishFrom.lte(now))
        .filter(Condition::any().add(announcement::Column::PublishTo.is_null()).add(announcement::Column::PublishTo.gt(now)))
        .order_by_desc(announcement::Column::PublishFrom)
        .limit(limit)
        .all(&db.conn)
        .await?;
    views(&db.conn, rows).await
}

async fn check(db: &impl ConnectionTrait, caller: &Caller, input: &AnnouncementInput) -> AppResult<(String, String, DateTime<Utc>)> {
    let mut errors = FieldErrors::new();
    let title = errors.required("title", "标题", &input.title);
    errors.max_chars("title", "标题", &title, 200);
    let body = errors.required("body", "正文", &input.body);
    errors.max_chars("body", "正文", &body, 20_000);
    let from = input.publish_from.unwrap_or_else(Utc::now);
    if let Some(to) = input.publish_to {
        if to <= from {
            errors.add("publish_to", "结束时间须晚于开始时间");
        }
    }
    if input.target_unit_ids.is_empty() {
        errors.add("target_unit_ids", "请选择发布范围");
    }
    for id in &input.target_unit_ids {
        if unit::get(db, caller, *id).await.is_err() {
            errors.add("target_unit_ids", "发布范围中有无权选择的组织");
        }
    }
    errors.into_result()?;
    Ok((title, body, from))
}

async fn replace_targets(db: &impl ConnectionTrait, id: i32, targets: &[i32]) -> AppResult<()> {
    announcement_target::Entity::delete_many().filter(announcement_target::Column::AnnouncementId.eq(id)).exec(db).await?;
    let set: BTreeSet<i32> = targets.iter().copied().collect();
    announcement_target::Entity::insert_many(
        set.into_iter().map(|u| announcement_target::ActiveModel { announcement_id: Set(id), org_unit_id: Set(u) }),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// Creates a draft owned by the caller's unit.
pub async fn create(db: &Db, caller: &Caller, input: &AnnouncementInput) -> AppResult<AnnouncementView> {
    caller.require("announcement.create")?;
    let txn = db.begin().await?;
    let (title, body, from) = check(&*txn, caller, input).await?;
    let now = Utc::now();
    let a = announcement::ActiveModel {
        org_unit_id: Set(caller.company_id.unwrap_or(caller.org_unit_id)),
        title: Set(title),
        body: Set(body),
        status: Set(AnnouncementStatus::Draft.code().into()),
        publish_from: Set(from),
        publish_to: Set(input.publish_to),
        created_by: Set(caller.user_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    replace_targets(&*txn, a.id, &input.target_unit_ids).await?;
    let after = views(&*txn, vec![a]).await?.remove(0);
    audit::record(
        &*txn,
        caller,
        Change::new("announcement", after.id, AuditAction::Create).summary(format!("新增公告“{}”", after.title)).after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

pub async fn update(db: &Db, caller: &Caller, id: i32, version: i32, input: &AnnouncementInput) -> AppResult<AnnouncementView> {
    caller.require("announcement.edit")?;
    let txn = db.begin().await?;
    let model = get_model(&*txn, caller, id).await?;
    let before = views(&*txn, vec![model.clone()]).await?.remove(0);
    let (title, body, from) = check(&*txn, caller, input).await?;
    claim_version::<announcement::Entity>(&*txn, announcement::Column::Id, announcement::Column::Version, id, version).await?;
    let mut am = model.into_active_model();
    am.title = Set(title);
    am.body = Set(body);
    am.publish_from = Set(from);
    am.publish_to = Set(input.publish_to);
    am.version = Set(version + 1);
    am.updated_at = Set(Utc::now());
    let a = am.update(&*txn).await?;
    replace_targets(&*txn, id, &input.target_unit_ids).await?;
    let after = views(&*txn, vec![a]).await?.remove(0);
    audit::record(
        &*txn,
        caller,
        Change::new("announcement", id, AuditAction::Update).summary(format!("修改公告“{}”", after.title)).before(&before).after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Publishes (`true`) or withdraws (`false`) an announcement.
pub async fn set_published(db: &Db, caller: &Caller, id: i32, version: i32, publish: bool) -> AppResult<AnnouncementView> {
    caller.require("announcement.publish")?;
    let txn = db.begin().await?;
    let model = get_model(&*txn, caller, id).await?;
    let next = AnnouncementStatus::from_code(&model.status).transition(publish).map_err(|m| AppError::Conflict(m.into()))?;
    claim_version::<announcement::Entity>(&*txn, announcement::Column::Id, announcement::Column::Version, id, version).await?;
    let mut am = model.into_active_model();
    am.status = Set(next.code().into());
    am.version = Set(version + 1);
    am.updated_at = Set(Utc::now());
    let after = views(&*txn, vec![am.update(&*txn).await?]).await?.remove(0);
    let action = if publish { AuditAction::Publish } else { AuditAction::Withdraw };
    audit::record(
        &*txn,
        caller,
        Change::new("announcement", id, action).summary(format!("{}公告“{}”", action.label(), after.title)).after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
