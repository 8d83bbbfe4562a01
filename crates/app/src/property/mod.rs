//! Property records. This foundation holds projects (the unit of data scope);
//! buildings, units and rooms join them in the property issue.

pub mod project;
