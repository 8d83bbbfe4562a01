/// Use of a room (PRP-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomType {
    Residential,
    Shop,
    Office,
    Parking,
    Storage,
}

impl RoomType {
    pub const ALL: [RoomType; 5] = [Self::Residential, Self::Shop, Self::Office, Self::Parking, Self::Storage];

    pub fn code(self) -> &'static str {
        match self {
            Self::Residential => "residential",
            Self::Shop => "shop",
            Self::Office => "office",
            Self::Parking => "parking",
            Self::Storage => "storage",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Residential => "住宅",
            Self::Shop => "商铺",
            Self::Office => "写字楼",
            Self::Parking => "车位",
            Self::Storage => "储藏室",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    pub fn from_label(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.label() == label)
    }
}

/// Sales and occupancy state of a room (PRP-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomStatus {
    Unsold,
    Vacant,
    Occupied,
    Renovating,
}

impl RoomStatus {
    pub const ALL: [RoomStatus; 4] = [Self::Unsold, Self::Vacant, Self::Occupied, Self::Renovating];

    pub fn code(self) -> &'static str {
        match self {
            Self::Unsold => "unsold",
            Self::Vacant => "vacant",
            Self::Occupied => "occupied",
            Self::Renovating => "renovating",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Unsold => "未售",
            Self::Vacant => "空置",
            Self::Occupied => "已入住",
            Self::Renovating => "装修中",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    pub fn from_label(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.label() == label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_labels_round_trip() {
        for t in RoomType::ALL {
            assert_eq!(RoomType::from_code(t.code()), Some(t));
            assert_eq!(RoomType::from_label(t.label()), Some(t));
        }
        for s in RoomStatus::ALL {
            assert_eq!(RoomStatus::from_code(s.code()), Some(s));
            assert_eq!(RoomStatus::from_label(s.label()), Some(s));
        }
    }
}
