use chrono::Utc;
use domain::{audit::AuditAction, settings::DictionaryType, FieldErrors};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};

use crate::{
    audit::{self, Change},
    db::claim_version,
    entity::dict_item,
    AppError, AppResult, Caller, Db,
};

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DictItemInput {
    #[serde(default)]
    pub dict_type: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub sort_order: Option<i32>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// The items of one dictionary of a company, in display order.
pub async fn list_items(db: &Db, caller: &Caller, company_id: i32, dict_type: &str) -> AppResult<Vec<dict_item::Model>> {
    caller.require("settings.view")?;
    if !caller.scope.sees_company(company_id) {
        return Err(AppError::NotFound);
    }
    Ok(dict_item::Entity::find()
        .filter(dict_item::Column::CompanyId.eq(company_id))
        .filter(dict_item::Column::DictType.eq(dict_type))
        .order_by_asc(dict_item::Column::SortOrder)
        .order_by_asc(dict_item::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Enabled labels of a dictionary, for pickers in other modules' forms.
pub async fn options(db: &Db, company_id: i32, dict_type: &str) -> AppResult<Vec<String>> {
    Ok(super::of_company(db, company_id).await?.options(dict_type).to_vec())
}

pub async fn get_item(db: &impl ConnectionTrait, caller: &Caller, id: i32) -> AppResult<dict_item::Model> {
    let item = dict_item::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    if caller.scope.sees_company(item.company_id) {
        Ok(item)
    } else {
        Err(AppError::NotFound)
    }
}

async fn check(db: &impl ConnectionTrait, company_id: i32, input: &DictItemInput, except: Option<i32>) -> AppResult<String> {
    let mut errors = FieldErrors::new();
    if DictionaryType::find(&input.dict_type).is_none() {
        errors.add("dict_type", "请选择资料类别");
    }
    let label = errors.required("label", "名称", &input.label);
    errors.max_chars("label", "名称", &label, 64);
    if !label.is_empty() {
        let mut q = dict_item::Entity::find()
            .filter(dict_item::Column::CompanyId.eq(company_id))
            .filter(dict_item::Column::DictType.eq(&input.dict_type))
            .filter(dict_item::Column::Label.eq(&label));
        if let Some(id) = except {
            q = q.filter(dict_item::Column::Id.ne(id));
        }
        if q.count(db).await? > 0 {
            errors.add("label", format!("该类别下已存在“{label}”"));
        }
    }
    errors.into_result()?;
    Ok(label)
}

pub async fn create_item(db: &Db, caller: &Caller, company_id: i32, input: &DictItemInput) -> AppResult<dict_item::Model> {
    caller.require("settings.configure")?;
    if !caller.scope.sees_company(company_id) {
        return Err(AppError::NotFound);
    }
    let txn = db.begin().await?;
    let label = check(&*txn, company_id, input, None).await?;
    let now = Utc::now();
    let item = dict_item::ActiveModel {
        company_id: Set(company_id),
        dict_type: Set(input.dict_type.clone()),
        label: Set(label),
        sort_order: Set(input.sort_order.unwrap_or(99)),
        enabled: Set(input.enabled.unwrap_or(true)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    audit::record(
        &*txn,
        caller,
        Change::new("dict_item", item.id, AuditAction::Create)
            .company(Some(company_id))
            .summary(format!("新增辅助资料“{}”", item.label))
            .after(&item),
    )
    .await?;
    txn.commit().await?;
    Ok(item)
}

pub async fn update_item(db: &Db, caller: &Caller, id: i32, version: i32, input: &DictItemInput) -> AppResult<dict_item::Model> {
    caller.require("settings.configure")?;
    let txn = db.begin().await?;
    let before = get_item(&*txn, caller, id).await?;
    let input = DictItemInput { dict_type: before.dict_type.clone(), ..input.clone() };
    let label = check(&*txn, before.company_id, &input, Some(id)).await?;
    claim_version::<dict_item::Entity>(&*txn, dict_item::Column::Id, dict_item::Column::Version, id, version).await?;
    let mut am = before.clone().into_active_model();
    am.label = Set(label);
    am.sort_order = Set(input.sort_order.unwrap_or(before.sort_order));
    am.enabled = Set(input.enabled.unwrap_or(before.enabled));
    am.version = Set(version + 1);
    am.updated_at = Set(Utc::now());
    let after = am.update(&*txn).await?;
    audit::record(
        &*txn,
        caller,
        Change::new("dict_item", id, AuditAction::Update)
            .company(Some(after.company_id))
            .summary(format!("修改辅助资料“{}”", after.label))
            .before(&before)
            .after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
