//! Buildings (楼栋) and their units (单元).

use chrono::Utc;
use domain::{audit::AuditAction, FieldErrors};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};

use super::project;
use crate::{
    audit::{self, Change},
    db::claim_version,
    entity::{building, building_unit, room},
    AppError, AppResult, Caller, Db,
};

pub type Building = building::Model;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct BuildingInput {
    #[serde(default)]
    pub project_id: Option<i32>,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub floors_above: Option<i32>,
    #[serde(default)]
    pub floors_below: Option<i32>,
}

/// A building with its units and room count, as pages show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BuildingView {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub building: Building,
    pub units: Vec<String>,
    pub rooms: u64,
}

/// Buildings of a project in scope.
pub async fn list(db: &Db, caller: &Caller, project_id: i32) -> AppResult<Vec<BuildingView>> {
    project::get(&db.conn, caller, project_id).await?;
    let buildings = building::Entity::find()
        .filter(building::Column::ProjectId.eq(project_id))
        .order_by_asc(building::Column::Code)
        .all(&db.conn)
        .await?;
    let mut out = Vec::with_capacity(buildings.len());
    for b in buildings {
        let units = units_of(&db.conn, b.id).await?.into_iter().map(|u| u.code).collect();
        let rooms = room::Entity::find().filter(room::Column::BuildingId.eq(b.id)).count(&db.conn).await?;
        out.push(BuildingView { building: b, units, rooms });
    }
    Ok(out)
}

pub async fn units_of(db: &impl ConnectionTrait, building_id: i32) -> AppResult<Vec<building_unit::Model>> {
    Ok(building_unit::Entity::find()
        .filter(building_unit::Column::BuildingId.eq(building_id))
        .order_by_asc(building_unit::Column::Code)
        .all(db)
        .await?)
}

/// A building whose project is in the caller's scope, or NotFound.
pub async fn get(db: &impl ConnectionTrait, caller: &Caller, id: i32) -> AppResult<Building> {
    let b = building::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    project::get(db, caller, b.project_id).await?;
    Ok(b)
}

async fn check(db: &impl ConnectionTrait, caller: &Caller, input: &BuildingInput, except: Option<i32>) -> AppResult<(i32, String, String)> {
    let mut errors = FieldErrors::new();
    let code = errors.required("code", "楼栋编码", &domain::validation::normalize_text(&input.code));
    errors.max_chars("code", "楼栋编码", &code, 32);
    let name = domain::validation::normalize_text(&input.name);
    let name = if name.is_empty() { code.clone() } else { name };
    errors.max_chars("name", "楼栋名称", &name, 100);
    for (field, v) in [("floors_above", input.floors_above), ("floors_below", input.floors_below)] {
        if !(0..=200).contains(&v.unwrap_or(0)) {
            errors.add(field, "层数应在 0 到 200 之间");
        }
    }
    let project = match input.project_id {
        Some(p) => project::get(db, caller, p).await.ok(),
        None => None,
    };
    if project.is_none() {
        errors.add("project_id", "请选择项目");
    }
    if let (Some(p), false) = (&project, code.is_empty()) {
        let mut q = building::Entity::find().filter(building::Column::ProjectId.eq(p.id)).filter(building::Column::Code.eq(&code));
        if let Some(id) = except {
            q = q.filter(building::Column::Id.ne(id));
        }
        if q.count(db).await? > 0 {
            errors.add("code", format!("“{}”已有楼栋编码 {code}", p.name));
        }
    }
    errors.into_result()?;
    Ok((project.expect("validated").id, code, name))
}

pub async fn create(db: &Db, caller: &Caller, input: &BuildingInput) -> AppResult<Building> {
    caller.require("property.create")?;
    let txn = db.begin().await?;
    let (project_id, code, name) = check(&*txn, caller, input, None).await?;
    let now = Utc::now();
    let b = building::ActiveModel {
        project_id: Set(project_id),
        code: Set(code),
        name: Set(name),
        floors_above: Set(input.floors_above.unwrap_or(0)),
        floors_below: Set(input.floors_below.unwrap_or(0)),
        enabled: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    let company = project::get(&*txn, caller, project_id).await?.company_id;
    audit::record(
        &*txn,
        caller,
        Change::new("building", b.id, AuditAction::Create).company(Some(company)).summary(format!("新增楼栋 {}", b.name)).after(&b),
    )
    .await?;
    txn.commit().await?;
    Ok(b)
}

pub async fn update(db: &Db, caller: &Caller, id: i32, version: i32, input: &BuildingInput) -> AppResult<Building> {
    caller.require("property.edit")?;
    let txn = db.begin().await?;
    let before = get(&*txn, caller, id).await?;
    let input = BuildingInput { project_id: Some(before.project_id), ..input.clone() };
    let (_, code, name) = check(&*txn, caller, &input, Some(id)).await?;
    claim_version::<building::Entity>(&*txn, building::Column::Id, building::Column::Version, id, version).await?;
    let mut am = before.clone().into_active_model();
    am.code = Set(code);
    am.name = Set(name);
    am.floors_above = Set(input.floors_above.unwrap_or(before.floors_above));
    am.floors_below = Set(input.floors_below.unwrap_or(before.floors_below));
    am.version = Set(version + 1);
    am.updated_at = Set(Utc::now());
    let after = am.update(&*txn).await?;
    let company = project::get(&*txn, caller, after.project_id).await?.company_id;
    audit::record(
        &*txn,
        caller,
        Change::new("building", id, AuditAction::Update)
            .company(Some(company))
            .summary(format!("修改楼栋 {}", after.name))
            .before(&before)
            .after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
