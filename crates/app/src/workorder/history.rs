//! Past work orders in bulk, for the demo and the data generator: whole
//! lifecycles with backdated steps, written straight through the entities
//! in chunks. Due times come from the same SLA targets and calendar as live
//! orders, numbers from the company's counters, and every step is on the
//! order's timeline — so queues, clocks, visits and measures look alive.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use domain::{
    audit::AuditAction,
    money::{order_total, Fen, Qty},
    workorder::{due_times, Action, Calendar, Pause, Targets, WorkOrderState},
};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use crate::{
    audit::{self, Change},
    entity::{return_visit, work_order, work_order_event, work_order_material},
    settings,
    synth::Rng,
    AppResult, Caller, Db,
};

/// Where an order is about: a room with its customer, or a public area.
#[derive(Debug, Clone)]
pub struct Place {
    pub project_id: i32,
    /// The project's management office (a visit's office).
    pub office_id: i32,
    pub room_id: Option<i32>,
    pub public_area: String,
    pub customer_id: Option<i32>,
    pub contact_name: String,
    pub contact_phone: String,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub company_id: i32,
    pub places: Vec<Place>,
    /// (user id, name) of the agent who takes calls and visits.
    pub agent: (i32, String),
    pub engineers: Vec<(i32, String)>,
    /// Local days `[from, to)`; `to` at the latest today.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub count: usize,
    pub seed: u64,
}

/// Categories with what callers report, as in the seeds' 报修 examples.
const PROBLEMS: &[(&str, &[&str])] = &[
    ("水电", &["厨房水龙头漏水", "卫生间地漏返水", "插座无电", "客厅灯不亮", "热水器不出热水", "总闸跳闸"]),
    ("门窗", &["入户门锁芯损坏", "阳台推拉门卡滞", "窗户关不严漏风", "防盗门猫眼松动"]),
    ("公共设施", &["楼道声控灯不亮", "单元信报箱损坏", "消防通道门闭门器坏了", "地下车库照明故障"]),
    ("清洁", &["电梯厅地面污渍", "楼道堆放杂物", "垃圾桶未及时清运"]),
    ("绿化", &["小区草坪枯黄", "树枝遮挡窗户需修剪"]),
    ("安防", &["单元门禁刷卡无反应", "监控摄像头画面模糊", "车库道闸不抬杆"]),
    ("电梯", &["电梯运行异响", "电梯按钮失灵"]),
    ("管道疏通", &["厨房下水道堵塞", "马桶堵塞"]),
    ("有偿家政", &["空调清洗", "油烟机清洗", "开荒保洁"]),
];

const SATISFACTION: &[(&str, u64)] =
    &[("very_satisfied", 58), ("satisfied", 29), ("neutral", 8), ("dissatisfied", 4), ("very_dissatisfied", 1)];

/// The code whose cumulative weight first exceeds `roll` (weights sum to 100).
fn weighted(table: &[(&'static str, u64)], roll: u64) -> &'static str {
    let mut sum = 0;
    table
        .iter()
        .find(|(_, w)| {
            sum += w;
            roll < sum
        })
        .map_or(table[0].0, |(code, _)| *code)
}

/// The steps an order went through, each with its time and who did it.
struct Life {
    steps: Vec<(Action, DateTime<Utc>)>,
    state: WorkOrderState,
}

fn step_state(from: WorkOrderState, a: Action) -> WorkOrderState {
    from.transition(a).unwrap_or(from)
}

/// A plausible life for an order created at `created`, cut at `now`: most
/// old orders are closed, recent ones are still in hand; some are late, some
/// fail acceptance once, a few are voided.
fn simulate(rng: &mut Rng, created: DateTime<Utc>, emergency: bool, now: DateTime<Utc>) -> Life {
    use Action::*;
    let mut t = created;
    let mut plan: Vec<(Action, Duration)> = Vec::new();
    if rng.chance(3) {
        plan.push((Void, rng.minutes(10, 600)));
    } else {
        plan.push((Dispatch, rng.minutes(3, 40)));
        plan.push((Take, rng.minutes(2, 50)));
        plan.push((Start, if emergency { rng.minutes(5, 35) } else { rng.minutes(20, 420) }));
        if rng.chance(6) {
            plan.push((WaitCustomer, rng.minutes(10, 60)));
            plan.push((Resume, rng.minutes(120, 2880)));
        }
        // One in eight takes far longer than promised.
        let work = if rng.chance(12) { rng.minutes(1440, 7200) } else { rng.minutes(20, 600) };
        plan.push((Complete, work));
        if rng.chance(5) {
            plan.push((CustomerReject, rng.minutes(60, 1440)));
            plan.push((Complete, rng.minutes(60, 1440)));
        }
        plan.push((CustomerAccept, rng.minutes(10, 1440)));
        if !rng.chance(6) {
            plan.push((ReturnVisit, rng.minutes(120, 4320)));
            plan.push((Close, rng.minutes(10, 1440)));
        }
    }
    let mut steps = Vec::new();
    let mut state = WorkOrderState::PendingDispatch;
    for (a, after) in plan {
        t += after;
        if t >= now {
            break;
        }
        state = step_state(state, a);
        steps.push((a, t));
    }
    Life { steps, state }
}

/// A creation time on `day`: mostly in office hours, some evenings, a few at night.
fn created_on(rng: &mut Rng, tz: Tz, day: NaiveDate) -> Option<DateTime<Utc>> {
    let minute = match rng.below(100) {
        0..=79 => 8 * 60 + rng.below(10 * 60),
        80..=94 => 18 * 60 + rng.below(4 * 60),
        _ => rng.below(8 * 60),
    } as u32;
    let local = NaiveDateTime::new(day, NaiveTime::from_hms_opt(minute / 60, minute % 60, 0)?);
    tz.from_local_datetime(&local).earliest().map(|t| t.with_timezone(&Utc))
}

/// Rooms with their current owners (and a few public areas) of some
/// projects: the places of a history's orders.
pub async fn places(db: &Db, projects: &[&crate::entity::project::Model]) -> AppResult<Vec<Place>> {
    use crate::entity::{customer, customer_phone, occupancy};
    let ids: Vec<i32> = projects.iter().map(|p| p.id).collect();
    let owners = occupancy::Entity::find()
        .filter(occupancy::Column::ProjectId.is_in(ids))
        .filter(occupancy::Column::Role.eq("owner"))
        .filter(occupancy::Column::EndDate.is_null())
        .all(&db.conn)
        .await?;
    let customer_ids: Vec<i32> = owners.iter().map(|o| o.customer_id).collect();
    let mut names = std::collections::HashMap::new();
    let mut phones = std::collections::HashMap::new();
    for part in customer_ids.chunks(500) {
        for c in customer::Entity::find().filter(customer::Column::Id.is_in(part.to_vec())).all(&db.conn).await? {
            names.insert(c.id, c.name);
        }
        for p in customer_phone::Entity::find().filter(customer_phone::Column::CustomerId.is_in(part.to_vec())).all(&db.conn).await? {
            phones.entry(p.customer_id).or_insert(p.phone);
        }
    }
    let office = |project_id: i32| projects.iter().find(|p| p.id == project_id).map_or(0, |p| p.org_unit_id);
    let mut places: Vec<Place> = owners
        .iter()
        .map(|o| Place {
            project_id: o.project_id,
            office_id: office(o.project_id),
            room_id: Some(o.room_id),
            public_area: String::new(),
            customer_id: Some(o.customer_id),
            contact_name: names.get(&o.customer_id).cloned().unwrap_or_default(),
            contact_phone: phones.get(&o.customer_id).cloned().unwrap_or_default(),
        })
        .collect();
    for p in projects {
        for area in ["1栋电梯厅", "地下车库B1层", "中心花园", "南门岗亭"] {
            places.push(Place {
                project_id: p.id,
                office_id: p.org_unit_id,
                room_id: None,
                public_area: area.into(),
                customer_id: None,
                contact_name: String::new(),
                contact_phone: String::new(),
            });
        }
    }
    Ok(places)
}

struct Draft {
    order: work_order::ActiveModel,
    events: Vec<(Action, DateTime<Utc>, WorkOrderState, WorkOrderState, i32, String)>,
    materials: Vec<(String, Qty, Fen, Fen)>,
    visit: Option<(DateTime<Utc>, &'static str, Place)>,
}

const CHUNK: usize = 400;

/// Writes `plan.count` past orders with their timelines, materials and
/// return visits; one transaction per chunk and one audit row. Returns how
/// many were written.
pub async fn generate(db: &Db, caller: &Caller, tz: Tz, plan: &Plan) -> AppResult<usize> {
    if plan.places.is_empty() || plan.engineers.is_empty() || plan.to <= plan.from {
        return Ok(0);
    }
    let mut rng = Rng(plan.seed);
    let now = Utc::now();
    let company = settings::of_company(db, plan.company_id).await?;
    let calendar = company.calendar();
    let mut targets: HashMap<(&str, bool), Targets> = HashMap::new();
    for (category, _) in PROBLEMS {
        for emergency in [true, false] {
            targets.insert((category, emergency), super::targets::for_order(&company, category, emergency));
        }
    }
    let days = (plan.to - plan.from).num_days();
    let mut created: Vec<DateTime<Utc>> = (0..plan.count)
        .filter_map(|_| {
            let day = plan.from + Duration::days(rng.below(days as u64) as i64);
            created_on(&mut rng, tz, day)
        })
        .collect();
    created.sort();
    let mut written = 0;
    for chunk in created.chunks(CHUNK) {
        let drafts = chunk.iter().map(|c| draft(&mut rng, tz, calendar, &targets, plan, *c, now)).collect::<Vec<_>>();
        written += write_chunk(db, tz, plan, drafts).await?;
    }
    let txn = db.begin().await?;
    audit::record(
        &*txn,
        caller,
        Change::new("work_order", 0, AuditAction::Create)
            .company(Some(plan.company_id))
            .summary(format!("批量生成历史工单 {written} 张（{} 至 {}）", plan.from, plan.to)),
    )
    .await?;
    txn.commit().await?;
    Ok(written)
}

fn draft(
    rng: &mut Rng,
    tz: Tz,
    calendar: &Calendar,
    targets: &HashMap<(&str, bool), Targets>,
    plan: &Plan,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Draft {
    let place = rng.pick(&plan.places).clone();
    let (category, texts) = *rng.pick(PROBLEMS);
    let emergency = category != "有偿家政" && rng.chance(8);
    let paid = category == "有偿家政" || (place.room_id.is_some() && rng.chance(12));
    let life = simulate(rng, created, emergency, now);
    let engineer = rng.pick(&plan.engineers).clone();
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).naive_local();
    let back = |t: Option<NaiveDateTime>| t.and_then(|x| tz.from_local_datetime(&x).earliest()).map(|x| x.with_timezone(&Utc));
    let mut pauses = Vec::new();
    let mut events = Vec::new();
    let mut state = WorkOrderState::PendingDispatch;
    let (mut responded, mut arrived, mut completed, mut accepted, mut visited) = (None, None, None, None, None);
    let mut reopen = 0;
    for (a, at) in &life.steps {
        let next = step_state(state, *a);
        let who = match a {
            Action::Take | Action::Start | Action::Complete | Action::WaitCustomer | Action::Resume => engineer.0,
            _ => plan.agent.0,
        };
        let note = match a {
            Action::Dispatch => format!("派工：{}", engineer.1),
            Action::Void => "作废（客户已自行处理）".to_string(),
            _ => a.label().to_string(),
        };
        events.push((*a, *at, state, next, who, note));
        match a {
            Action::Take => responded = responded.or(Some(*at)),
            Action::Start => {
                responded = responded.or(Some(*at));
                arrived = arrived.or(Some(*at));
            }
            Action::Complete => completed = Some(*at),
            Action::CustomerAccept => accepted = Some(*at),
            Action::CustomerReject => reopen += 1,
            Action::ReturnVisit => visited = Some(*at),
            Action::WaitCustomer => pauses.push(Pause { from: local(*at), to: None }),
            Action::Resume => {
                if let Some(p) = pauses.last_mut() {
                    p.to = Some(local(*at));
                }
            }
            _ => {}
        }
        state = next;
    }
    let t = targets[&(category, emergency)];
    let (r, o, c) = due_times(calendar, &t, local(created), &pauses);
    let materials = if paid && completed.is_some() {
        let price = Fen(1500 + rng.below(20) as i64 * 500);
        let qty = Qty(1000 * (1 + rng.below(3) as i64));
        vec![(if category == "有偿家政" { "清洁剂" } else { "配件" }.to_string(), qty, price, qty.times(price))]
    } else {
        vec![]
    };
    let labour = if paid && completed.is_some() { Fen(3000 + rng.below(6) as i64 * 1000) } else { Fen(0) };
    let total = if paid { order_total(&materials.iter().map(|(_, q, p, _)| (*q, *p)).collect::<Vec<_>>(), labour) } else { Fen(0) };
    let satisfaction = visited.map(|_| weighted(SATISFACTION, rng.below(100)));
    let updated = life.steps.last().map_or(created, |(_, at)| *at);
    let order = work_order::ActiveModel {
        company_id: Set(plan.company_id),
        project_id: Set(place.project_id),
        room_id: Set(place.room_id),
        customer_id: Set(place.customer_id),
        public_area: Set(place.public_area.clone()),
        category: Set(category.into()),
        kind: Set(if paid { "paid" } else { "internal" }.into()),
        priority: Set(if emergency { "emergency" } else { "normal" }.into()),
        channel: Set(rng.pick(&["电话", "电话", "电话", "前台", "微信", "业主门户", "巡检"]).to_string()),
        contact_name: Set(place.contact_name.clone()),
        contact_phone: Set(place.contact_phone.clone()),
        description: Set(rng.pick(texts).to_string()),
        appointment_at: Set(None),
        state: Set(life.state.code().into()),
        assignee_id: Set(events.iter().any(|e| e.0 == Action::Dispatch).then_some(engineer.0)),
        created_by: Set(plan.agent.0),
        response_due: Set(back(r)),
        onsite_due: Set(back(o)),
        complete_due: Set(back(c)),
        responded_at: Set(responded),
        arrived_at: Set(arrived),
        completed_at: Set(completed),
        result: Set(completed.map(|_| "已处理完毕，客户现场确认".to_string())),
        labour_fee: Set(labour.0),
        total_fee: Set(total.0),
        warranty: Set(false),
        contractor: Set(String::new()),
        requested_items: Set(String::new()),
        request_token: Set(None),
        reopen_count: Set(reopen),
        escalation_level: Set(0),
        accepted_at: Set(accepted),
        visited_at: Set(visited),
        satisfaction: Set(satisfaction.unwrap_or_default().into()),
        version: Set(1 + events.len() as i32),
        created_at: Set(created),
        updated_at: Set(updated),
        ..Default::default()
    };
    Draft { order, events, materials, visit: visited.zip(satisfaction).map(|(at, s)| (at, s, place)) }
}

async fn write_chunk(db: &Db, tz: Tz, plan: &Plan, mut drafts: Vec<Draft>) -> AppResult<usize> {
    let txn = db.begin().await?;
    // Numbers per local creation day, in creation order.
    let mut by_day: Vec<(NaiveDate, Vec<usize>)> = Vec::new();
    for (i, d) in drafts.iter().enumerate() {
        let day = match &d.order.created_at {
            sea_orm::ActiveValue::Set(t) => t.with_timezone(&tz).date_naive(),
            _ => plan.from,
        };
        match by_day.last_mut() {
            Some((last, idx)) if *last == day => idx.push(i),
            _ => by_day.push((day, vec![i])),
        }
    }
    for (day, idx) in &by_day {
        let numbers = settings::reserve_numbers(&*txn, plan.company_id, "work_order", *day, idx.len() as i64).await?;
        for (i, n) in idx.iter().zip(numbers) {
            drafts[*i].order.number = Set(n);
        }
    }
    let orders = super::insert_orders(&*txn, tz, drafts.iter().map(|d| d.order.clone()).collect()).await?;
    let mut events = Vec::new();
    let mut materials = Vec::new();
    let mut visits = Vec::new();
    for (d, id) in drafts.iter().zip(orders.iter().map(|o| o.id)) {
        let created = match &d.order.created_at {
            sea_orm::ActiveValue::Set(t) => *t,
            _ => Utc::now(),
        };
        events.push(super::event_row(id, created, plan.agent.0, &plan.agent.1, "create", "", WorkOrderState::PendingDispatch.code(), ""));
        for (a, at, from, to, who, note) in &d.events {
            let name = if *who == plan.agent.0 { &plan.agent.1 } else { &plan.engineers.iter().find(|e| e.0 == *who).expect("engineer").1 };
            events.push(super::event_row(id, *at, *who, name, a.code(), from.code(), to.code(), note));
        }
        for (item, q, p, amount) in &d.materials {
            materials.push(work_order_material::ActiveModel {
                work_order_id: Set(id),
                item: Set(item.clone()),
                quantity: Set(q.0),
                unit_price: Set(p.0),
                amount: Set(amount.0),
                ..Default::default()
            });
        }
        if let Some((at, satisfaction, place)) = &d.visit {
            visits.push(return_visit::ActiveModel {
                company_id: Set(plan.company_id),
                office_id: Set(place.office_id),
                project_id: Set(Some(place.project_id)),
                customer_id: Set(place.customer_id),
                work_order_id: Set(Some(id)),
                kind: Set("order".into()),
                method: Set("phone".into()),
                satisfaction: Set((*satisfaction).into()),
                attitude: Set(if satisfaction.contains("dissatisfied") { "fair" } else { "good" }.into()),
                content: Set(if satisfaction.contains("dissatisfied") {
                    "维修后仍有问题，希望尽快解决"
                } else {
                    "维修及时，师傅态度好"
                }
                .into()),
                follow_up: Set("none".into()),
                complaint_id: Set(None),
                visited_by: Set(plan.agent.0),
                visited_by_name: Set(plan.agent.1.clone()),
                visited_at: Set(*at),
                version: Set(1),
                created_at: Set(*at),
                updated_at: Set(*at),
                ..Default::default()
            });
        }
    }
    for part in events.chunks(1000) {
        work_order_event::Entity::insert_many(part.to_vec()).exec(&*txn).await?;
    }
    if !materials.is_empty() {
        work_order_material::Entity::insert_many(materials).exec(&*txn).await?;
    }
    crate::visit::tally::recorded(&*txn, visits.iter().map(|v| *v.office_id.as_ref())).await?;
    for part in visits.chunks(500) {
        return_visit::Entity::insert_many(part.to_vec()).exec(&*txn).await?;
    }
    txn.commit().await?;
    Ok(drafts.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lives_follow_the_state_machine_and_stop_at_now() {
        let mut rng = Rng(7);
        let now = Utc::now();
        let mut states = std::collections::HashSet::new();
        for i in 0..2000 {
            let created = now - Duration::minutes(i * 97);
            let life = simulate(&mut rng, created, i % 9 == 0, now);
            let mut s = WorkOrderState::PendingDispatch;
            let mut last = created;
            for (a, at) in &life.steps {
                s = s.transition(*a).unwrap_or_else(|m| panic!("{s:?} {a:?}: {m}"));
                assert!(*at > last && *at < now, "steps move forward and stay in the past");
                last = *at;
            }
            assert_eq!(s, life.state);
            states.insert(s);
        }
        assert!(states.len() >= 8, "every state shows up: {states:?}");
    }
}
