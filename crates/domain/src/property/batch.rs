//! Batch room generation (PRP-3, 房源生成): building × units × floors ×
//! rooms per floor, named by a pattern, skipping unlucky floors.

use std::collections::BTreeSet;

/// A naming pattern such as `{building}-{unit}-{floor:02}{no:02}`.
/// Placeholders: `{project}`, `{building}`, `{unit}`, `{floor}`, `{no}`; a
/// `:NN` suffix pads a number with zeros to NN digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomCodePattern(Vec<Part>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Field(Field, usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Project,
    Building,
    Unit,
    Floor,
    No,
}

impl RoomCodePattern {
    pub fn parse(pattern: &str) -> Result<Self, &'static str> {
        let mut parts = Vec::new();
        let mut rest = pattern.trim();
        while let Some(start) = rest.find('{') {
            if start > 0 {
                parts.push(Part::Text(rest[..start].to_string()));
            }
            let end = rest[start..].find('}').ok_or("命名规则中的 { 没有配对的 }")? + start;
            let inner = &rest[start + 1..end];
            let (name, width) = match inner.split_once(':') {
                Some((n, w)) => (n, w.parse::<usize>().map_err(|_| "补零位数应为数字，如 {floor:02}")?),
                None => (inner, 0),
            };
            let field = match name {
                "project" => Field::Project,
                "building" => Field::Building,
                "unit" => Field::Unit,
                "floor" => Field::Floor,
                "no" => Field::No,
                _ => return Err("命名规则只能使用 {project} {building} {unit} {floor} {no}"),
            };
            if width > 6 {
                return Err("补零位数不能超过 6");
            }
            parts.push(Part::Field(field, width));
            rest = &rest[end + 1..];
        }
        if rest.contains('}') {
            return Err("命名规则中的 } 没有配对的 {");
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        let has = |f: Field| parts.iter().any(|p| matches!(p, Part::Field(x, _) if *x == f));
        if !has(Field::No) {
            return Err("命名规则须包含房号 {no}");
        }
        if !has(Field::Floor) {
            return Err("命名规则须包含楼层 {floor}");
        }
        Ok(Self(parts))
    }

    fn uses_unit(&self) -> bool {
        self.0.iter().any(|p| matches!(p, Part::Field(Field::Unit, _)))
    }

    pub fn render(&self, project: &str, building: &str, unit: &str, floor: i32, no: i32) -> String {
        let mut out = String::new();
        for p in &self.0 {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Field(Field::Project, _) => out.push_str(project),
                Part::Field(Field::Building, _) => out.push_str(building),
                Part::Field(Field::Unit, _) => out.push_str(unit),
                Part::Field(Field::Floor, w) => out.push_str(&format!("{floor:0w$}", w = *w)),
                Part::Field(Field::No, w) => out.push_str(&format!("{no:0w$}", w = *w)),
            }
        }
        out
    }
}

/// What the user asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchSpec {
    pub project_code: String,
    pub building_code: String,
    /// Unit (stairwell) codes, e.g. `["1", "2"]`.
    pub units: Vec<String>,
    pub floor_from: i32,
    pub floor_to: i32,
    pub rooms_per_floor: i32,
    pub skip_floors: BTreeSet<i32>,
    pub pattern: String,
}

/// One room the batch would create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRoom {
    pub unit: String,
    pub floor: i32,
    pub no: i32,
    pub code: String,
}

/// The most rooms one batch may create.
pub const MAX_BATCH_ROOMS: usize = 20_000;

/// Plans the rooms of a batch, or says which field is wrong. The plan never
/// holds two rooms with the same code.
pub fn plan_rooms(spec: &BatchSpec) -> Result<Vec<PlannedRoom>, (&'static str, &'static str)> {
    let pattern = RoomCodePattern::parse(&spec.pattern).map_err(|m| ("pattern", m))?;
    if spec.units.is_empty() {
        return Err(("units", "请至少填写一个单元"));
    }
    if spec.floor_from == 0 || spec.floor_to == 0 || spec.floor_from > spec.floor_to {
        return Err(("floor_to", "楼层范围不正确（起始楼层不能大于结束楼层，且没有第 0 层）"));
    }
    if !(1..=99).contains(&spec.rooms_per_floor) {
        return Err(("rooms_per_floor", "每层户数应在 1 到 99 之间"));
    }
    if spec.units.len() > 1 && !pattern.uses_unit() {
        return Err(("pattern", "有多个单元时命名规则须包含单元 {unit}，否则房间代码会重复"));
    }
    let mut rooms = Vec::new();
    let mut seen = BTreeSet::new();
    for unit in &spec.units {
        for floor in (spec.floor_from..=spec.floor_to).filter(|f| !spec.skip_floors.contains(f)) {
            for no in 1..=spec.rooms_per_floor {
                let code = pattern.render(&spec.project_code, &spec.building_code, unit, floor, no);
                if !seen.insert(code.clone()) {
                    return Err(("pattern", "按此命名规则会生成重复的房间代码，请加入楼层、单元或补零位数"));
                }
                rooms.push(PlannedRoom { unit: unit.clone(), floor, no, code });
                if rooms.len() > MAX_BATCH_ROOMS {
                    return Err(("rooms_per_floor", "一次最多生成 20000 间房"));
                }
            }
        }
    }
    if rooms.is_empty() {
        return Err(("skip_floors", "跳过楼层后没有可生成的房间"));
    }
    Ok(rooms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> BatchSpec {
        BatchSpec {
            project_code: "君林".into(),
            building_code: "C3".into(),
            units: vec!["1".into(), "2".into()],
            floor_from: 1,
            floor_to: 15,
            rooms_per_floor: 4,
            skip_floors: [4, 13, 14].into(),
            pattern: "{building}-{unit}-{floor:02}{no:02}".into(),
        }
    }

    #[test]
    fn pattern_renders_like_the_spec() {
        let p = RoomCodePattern::parse("{project}-{building}-{floor:02}{no:02}").unwrap();
        assert_eq!(p.render("君林", "C3", "1", 3, 1), "君林-C3-0301");
        assert!(RoomCodePattern::parse("{building}-{no}").is_err(), "needs a floor");
        assert!(RoomCodePattern::parse("{floor}{room}").is_err());
        assert!(RoomCodePattern::parse("{floor:xx}{no}").is_err());
        assert!(RoomCodePattern::parse("{floor{no}").is_err());
    }

    #[test]
    fn plan_skips_floors_and_counts() {
        let rooms = plan_rooms(&spec()).unwrap();
        assert_eq!(rooms.len(), 2 * 12 * 4);
        assert_eq!(rooms[0].code, "C3-1-0101");
        assert!(rooms.iter().all(|r| ![4, 13, 14].contains(&r.floor)));
        assert_eq!(rooms.last().unwrap().code, "C3-2-1504");
    }

    #[test]
    fn plans_that_would_collide_are_refused() {
        let s = BatchSpec { pattern: "{building}-{floor:02}{no:02}".into(), ..spec() };
        assert_eq!(plan_rooms(&s).unwrap_err().0, "pattern");
        let s = BatchSpec { pattern: "{unit}-{floor}{no}".into(), rooms_per_floor: 12, ..spec() };
        assert_eq!(plan_rooms(&s).unwrap_err().0, "pattern", "floor 1 room 11 = floor 11 room 1");
    }

    #[test]
    fn bad_ranges() {
        assert_eq!(plan_rooms(&BatchSpec { floor_from: 5, floor_to: 3, ..spec() }).unwrap_err().0, "floor_to");
        assert_eq!(plan_rooms(&BatchSpec { rooms_per_floor: 0, ..spec() }).unwrap_err().0, "rooms_per_floor");
        assert_eq!(plan_rooms(&BatchSpec { floor_from: 4, floor_to: 4, ..spec() }).unwrap_err().0, "skip_floors");
        let basement = plan_rooms(&BatchSpec { floor_from: -2, floor_to: -1, units: vec!["1".into()], ..spec() }).unwrap();
        assert_eq!(basement[0].code, "C3-1--201", "basement floors render with their sign");
    }
}
