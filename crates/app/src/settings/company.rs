//! A company's settings as other use cases read them: the enabled labels of
//! every dictionary, the SLA clock's calendar, the SLA targets, warranty
//! periods and numbering rules. Loaded in one go and kept per process until
//! a settings change (see `crate::cache`), because every work order created
//! reads most of them.

use std::{collections::HashMap, sync::Arc};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    entity::{dict_item, numbering_rule, sla_target, warranty_period},
    AppResult, Caller, Db,
};

pub struct CompanySettings {
    options: HashMap<String, Vec<String>>,
    calendar: domain::workorder::Calendar,
    sla_targets: Vec<sla_target::Model>,
    warranties: Vec<warranty_period::Model>,
    numbering_rules: Vec<numbering_rule::Model>,
}

impl CompanySettings {
    /// Reads the settings of `company_id` (in a transaction, its view).
    pub async fn load(db: &impl ConnectionTrait, company_id: i32) -> AppResult<Self> {
        let mut options: HashMap<String, Vec<String>> = HashMap::new();
        let items = dict_item::Entity::find()
            .filter(dict_item::Column::CompanyId.eq(company_id))
            .filter(dict_item::Column::Enabled.eq(true))
            .order_by_asc(dict_item::Column::SortOrder)
            .order_by_asc(dict_item::Column::Id)
            .all(db)
            .await?;
        for i in items {
            options.entry(i.dict_type).or_default().push(i.label);
        }
        Ok(Self {
            options,
            calendar: super::clock_calendar(db, company_id).await?,
            sla_targets: sla_target::Entity::find().filter(sla_target::Column::CompanyId.eq(company_id)).all(db).await?,
            warranties: warranty_period::Entity::find().filter(warranty_period::Column::CompanyId.eq(company_id)).all(db).await?,
            numbering_rules: numbering_rule::Entity::find().filter(numbering_rule::Column::CompanyId.eq(company_id)).all(db).await?,
        })
    }

    /// Enabled labels of a dictionary, in their order.
    pub fn options(&self, dict_type: &str) -> &[String] {
        self.options.get(dict_type).map_or(&[], Vec::as_slice)
    }

    pub fn calendar(&self) -> &domain::workorder::Calendar {
        &self.calendar
    }

    /// The company's own SLA target rows (`workorder::targets` picks the one in force).
    pub fn sla_targets(&self) -> &[sla_target::Model] {
        &self.sla_targets
    }

    pub fn warranty_period(&self, category: &str) -> Option<&warranty_period::Model> {
        self.warranties.iter().find(|w| w.category == category)
    }

    pub fn numbering_rule(&self, doc_type: &str) -> AppResult<&numbering_rule::Model> {
        self.numbering_rules.iter().find(|r| r.doc_type == doc_type).ok_or_else(|| anyhow::anyhow!("no numbering rule {doc_type}").into())
    }
}

/// The settings of a company, from the cache while no setting has changed.
pub async fn of_company(db: &Db, company_id: i32) -> AppResult<Arc<CompanySettings>> {
    as_of(db, crate::cache::versions(&db.conn).await?, company_id).await
}

/// The settings of a company as of the caller's request: checked against
/// the counters read when the caller was loaded, which saves a read on the
/// hottest paths (a change committed in between is seen by the next request).
pub async fn for_request(db: &Db, caller: &Caller, company_id: i32) -> AppResult<Arc<CompanySettings>> {
    match caller.config {
        Some(versions) => as_of(db, versions, company_id).await,
        None => of_company(db, company_id).await,
    }
}

async fn as_of(db: &Db, versions: crate::cache::Versions, company_id: i32) -> AppResult<Arc<CompanySettings>> {
    match db.caches.settings.get(&company_id, versions) {
        Some(s) => Ok(s),
        None => Ok(db.caches.settings.put(company_id, versions, CompanySettings::load(&db.conn, company_id).await?)),
    }
}
