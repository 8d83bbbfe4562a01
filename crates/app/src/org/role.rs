//! Roles and their permission points (SYS-3). A role belongs to an org unit
//! and is visible and assignable within that unit's company.

use std::collections::BTreeSet;

use chrono::Utc;
use domain::{audit::AuditAction, org::Permission, FieldErrors};
use sea_orm::{
    sea_query::{Expr, Func, LikeExpr},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};

use crate::{
    audit::{self, Change},
    db::claim_version,
    entity::{org_unit, role, role_permission, user_role},
    list::like_pattern,
    AppError, AppResult, Caller, Db, Page, PageRequest,
};

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RoleInput {
    #[serde(default)]
    pub org_unit_id: Option<i32>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoleView {
    pub id: i32,
    pub org_unit_id: i32,
    pub org_unit_name: String,
    pub name: String,
    pub description: String,
    pub enabled: bool,
    pub permissions: Vec<String>,
    pub user_count: u64,
    pub version: i32,
}

async fn view(db: &impl ConnectionTrait, r: role::Model) -> AppResult<RoleView> {
    let permissions = role_permission::Entity::find()
        .filter(role_permission::Column::RoleId.eq(r.id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.permission)
        .collect();
    let unit = org_unit::Entity::find_by_id(r.org_unit_id).one(db).await?;
    let user_count = user_role::Entity::find().filter(user_role::Column::RoleId.eq(r.id)).count(db).await?;
    Ok(RoleView {
        id: r.id,
        org_unit_id: r.org_unit_id,
        org_unit_name: unit.map(|u| u.name).unwrap_or_default(),
        name: r.name,
        description: r.description,
        enabled: r.enabled,
        permissions,
        user_count,
        version: r.version,
    })
}

pub async fn list(db: &Db, caller: &Caller, req: &PageRequest) -> AppResult<Page<RoleView>> {
    caller.require("role.view")?;
    let mut cond = caller.units_condition(role::Column::OrgUnitId);
    if let Some(k) = req.keyword() {
        cond = cond
            .add(Expr::expr(Func::lower(Expr::col(role::Column::Name))).like(LikeExpr::new(like_pattern(&k.to_lowercase())).escape('\\')));
    }
    let query = role::Entity::find().filter(cond);
    let total = query.clone().count(&db.conn).await?;
    let (key, desc) = req.sort_by(&["name", "id"], "id");
    let col = if key == "name" { role::Column::Name } else { role::Column::Id };
    let query = if desc { query.order_by_desc(col) } else { query.order_by_asc(col) };
    let mut items = Vec::new();
    for r in crate::list::page_rows(&db.conn, query, req).await? {
        items.push(view(&db.conn, r).await?);
    }
    Ok(Page::new(items, total))
}

/// Every role the caller may assign, for user forms.
pub async fn assignable(db: &Db, caller: &Caller) -> AppResult<Vec<role::Model>> {
    Ok(role::Entity::find()
        .filter(caller.units_condition(role::Column::OrgUnitId))
        .filter(role::Column::Enabled.eq(true))
        .order_by_asc(role::Column::Name)
        .all(&db.conn)
        .await?)
}

async fn get_model(db: &impl ConnectionTrait, caller: &Caller, id: i32) -> AppResult<role::Model> {
    role::Entity::find_by_id(id).filter(caller.units_condition(role::Column::OrgUnitId)).one(db).await?.ok_or(AppError::NotFound)
}

pub async fn get(db: &Db, caller: &Caller, id: i32) -> AppResult<RoleView> {
    caller.require("role.view")?;
    view(&db.conn, get_model(&db.conn, caller, id).await?).await
}

async fn check(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: &RoleInput,
    except: Option<i32>,
) -> AppResult<(String, i32, BTreeSet<String>)> {
    let mut errors = FieldErrors::new();
    let name = errors.required("name", "角色名称", &input.name);
    errors.max_chars("name", "角色名称", &name, 64);
    errors.max_chars("description", "说明", &input.description, 255);
    let unit = match input.org_unit_id {
        Some(id) => super::unit::get(db, caller, id).await.ok(),
        None => None,
    };
    if unit.is_none() {
        errors.add("org_unit_id", "请选择所属组织");
    }
    let perms: BTreeSet<String> = input.permissions.iter().cloned().collect();
    if let Some(bad) = perms.iter().find(|p| Permission::find(p).is_none()) {
        errors.add("permissions", format!("未知的权限点 {bad}"));
    }
    if let (Some(u), false) = (&unit, name.is_empty()) {
        let mut q = role::Entity::find().filter(role::Column::OrgUnitId.eq(u.id)).filter(role::Column::Name.eq(&name));
        if let Some(id) = except {
            q = q.filter(role::Column::Id.ne(id));
        }
        if q.count(db).await? > 0 {
            errors.add("name", format!("“{}”下已有名为“{name}”的角色", u.name));
        }
    }
    errors.into_result()?;
    Ok((name, unit.expect("validated").id, perms))
}

async fn replace_permissions(db: &impl ConnectionTrait, role_id: i32, perms: BTreeSet<String>) -> AppResult<()> {
    role_permission::Entity::delete_many().filter(role_permission::Column::RoleId.eq(role_id)).exec(db).await?;
    if !perms.is_empty() {
        role_permission::Entity::insert_many(
            perms.into_iter().map(|p| role_permission::ActiveModel { role_id: Set(role_id), permission: Set(p) }),
        )
        .exec(db)
        .await?;
    }
    Ok(())
}

pub async fn create(db: &Db, caller: &Caller, input: &RoleInput) -> AppResult<RoleView> {
    caller.require("role.create")?;
    let txn = db.begin().await?;
    let (name, unit_id, perms) = check(&*txn, caller, input, None).await?;
    let now = Utc::now();
    let r = role::ActiveModel {
        org_unit_id: Set(unit_id),
        name: Set(name),
        description: Set(input.description.trim().into()),
        enabled: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    replace_permissions(&*txn, r.id, perms).await?;
    let after = view(&*txn, r).await?;
    let company = org_unit::Entity::find_by_id(unit_id).one(&*txn).await?.and_then(|u| u.company_id);
    audit::record(
        &*txn,
        caller,
        Change::new("role", after.id, AuditAction::Create).company(company).summary(format!("新增角色“{}”", after.name)).after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

pub async fn update(db: &Db, caller: &Caller, id: i32, version: i32, input: &RoleInput) -> AppResult<RoleView> {
    caller.require("role.edit")?;
    let txn = db.begin().await?;
    let model = get_model(&*txn, caller, id).await?;
    let before = view(&*txn, model.clone()).await?;
    let (name, unit_id, perms) = check(&*txn, caller, input, Some(id)).await?;
    claim_version::<role::Entity>(&*txn, role::Column::Id, role::Column::Version, id, version).await?;
    let mut am = model.into_active_model();
    am.name = Set(name);
    am.org_unit_id = Set(unit_id);
    am.description = Set(input.description.trim().into());
    am.version = Set(version + 1);
    am.updated_at = Set(Utc::now());
    let r = am.update(&*txn).await?;
    replace_permissions(&*txn, id, perms).await?;
    let after = view(&*txn, r).await?;
    let company = org_unit::Entity::find_by_id(unit_id).one(&*txn).await?.and_then(|u| u.company_id);
    audit::record(
        &*txn,
        caller,
        Change::new("role", id, AuditAction::Update)
            .company(company)
            .summary(format!("修改角色“{}”", after.name))
            .before(&before)
            .after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

pub async fn set_enabled(db: &Db, caller: &Caller, id: i32, version: i32, enabled: bool) -> AppResult<RoleView> {
    caller.require("role.edit")?;
    let txn = db.begin().await?;
    let model = get_model(&*txn, caller, id).await?;
    let before = view(&*txn, model.clone()).await?;
    claim_version::<role::Entity>(&*txn, role::Column::Id, role::Column::Version, id, version).await?;
    let mut am = model.into_active_model();
    am.enabled = Set(enabled);
    am.version = Set(version + 1);
    am.updated_at = Set(Utc::now());
    let after = view(&*txn, am.update(&*txn).await?).await?;
    let action = if enabled { AuditAction::Enable } else { AuditAction::Disable };
    let company = org_unit::Entity::find_by_id(after.org_unit_id).one(&*txn).await?.and_then(|u| u.company_id);
    audit::record(
        &*txn,
        caller,
        Change::new("role", id, action)
            .company(company)
            .summary(format!("{}角色“{}”", action.label(), after.name))
            .before(&before)
            .after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
