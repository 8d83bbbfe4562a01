//! Generic page models: list pages, forms, and their Excel export. Every list
//! in the product renders through `ListView`, so search, sort, paging and
//! export behave the same everywhere.

use app::{list::Found, Page, PageRequest};
use domain::FieldErrors;

/// A link in a toolbar or navigation.
#[derive(Debug, Clone)]
pub struct Link {
    pub label: String,
    pub href: String,
}

impl Link {
    pub fn new(label: impl Into<String>, href: impl Into<String>) -> Self {
        Self { label: label.into(), href: href.into() }
    }
}

#[derive(Debug, Clone)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
    /// Starts a new group heading in a checkbox list.
    pub group: Option<String>,
}

impl SelectOption {
    pub fn new(value: impl ToString, label: impl Into<String>, selected: bool) -> Self {
        Self { value: value.to_string(), label: label.into(), selected, group: None }
    }
}

/// A filter in a list's search row.
#[derive(Debug, Clone)]
pub struct FilterField {
    pub name: String,
    pub label: String,
    /// `select`, `date` or `text`.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<SelectOption>,
}

impl FilterField {
    pub fn select(name: &str, label: &str, value: Option<String>, options: Vec<(String, String)>) -> Self {
        Self {
            name: name.into(),
            label: label.into(),
            kind: "select",
            value: value.unwrap_or_default(),
            options: options.into_iter().map(|(v, l)| SelectOption::new(v, l, false)).collect(),
        }
    }

    pub fn input(kind: &'static str, name: &str, label: &str, value: Option<String>) -> Self {
        Self { name: name.into(), label: label.into(), kind, value: value.unwrap_or_default(), options: vec![] }
    }
}

#[derive(Debug, Clone)]
pub struct Column {
    pub label: String,
    pub right: bool,
    pub sort_href: Option<String>,
    /// `asc`, `desc` or empty.
    pub sort_state: &'static str,
}

#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    /// Colour of a status tag (`blue`, `orange`, `green`, `grey`, `red`,
    /// `struck`); empty for plain text.
    pub tag: &'static str,
    pub title: String,
    pub right: bool,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Self {
        let text = s.into();
        Self { title: if text.chars().count() > 20 { text.clone() } else { String::new() }, text, ..Default::default() }
    }

    pub fn link(s: impl Into<String>, href: impl Into<String>) -> Self {
        Self { href: Some(href.into()), ..Self::text(s) }
    }

    pub fn tag(s: impl Into<String>, colour: &'static str) -> Self {
        Self { tag: colour, ..Self::text(s) }
    }
}

#[derive(Debug, Clone)]
pub struct RowAction {
    pub label: String,
    pub href: String,
    pub post: bool,
    pub confirm: String,
    pub reason: bool,
    pub danger: bool,
    pub version: i32,
}

impl RowAction {
    pub fn get(label: &str, href: String) -> Self {
        Self { label: label.into(), href, post: false, confirm: String::new(), reason: false, danger: false, version: 0 }
    }

    /// A state-changing action posted with the row's version; `confirm`
    /// non-empty asks first.
    pub fn post(label: &str, href: String, version: i32, confirm: &str, danger: bool) -> Self {
        Self { label: label.into(), href, post: true, confirm: confirm.into(), reason: false, danger, version }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub actions: Vec<RowAction>,
}

/// One list page: search row, table, pager, export link.
#[derive(Debug, Default)]
pub struct ListView {
    pub title: String,
    pub base: String,
    pub q: String,
    /// The search box's hint: what it searches.
    pub search_hint: String,
    pub filters: Vec<FilterField>,
    pub advanced: Vec<FilterField>,
    pub advanced_open: bool,
    pub toolbar: Vec<Link>,
    pub export_href: Option<String>,
    pub columns: Vec<Column>,
    pub has_actions: bool,
    pub rows: Vec<Row>,
    pub total: u64,
    /// More rows match than `total` lists (a common keyword).
    pub capped: bool,
    pub page: u64,
    pub per_page: u64,
    pub pages: u64,
    pub sort: String,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    /// Query parameters other than paging, kept by the pager's jump form.
    pub keep_params: Vec<(String, String)>,
    pub empty_hint: String,
    /// A line of context under the heading.
    pub note: String,
    /// An export's workbook, which takes the rows as they are made instead
    /// of `rows`.
    pub sheet: Option<ExportSheet>,
}

/// An export's worksheet, written a row at a time as the results come. The
/// worksheet keeps only the row being written ("constant memory": each
/// finished row goes to a temporary file), so an export holds none of its
/// rows: held as list rows until the end, 100,000 orders took 185 MB.
pub struct ExportSheet {
    workbook: rust_xlsxwriter::Workbook,
    /// Rows written so far, the heading included.
    written: u32,
    /// The first write that failed; the rest are not tried.
    failed: Option<rust_xlsxwriter::XlsxError>,
}

impl std::fmt::Debug for ExportSheet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportSheet").field("written", &self.written).field("failed", &self.failed).finish()
    }
}

impl ExportSheet {
    fn new() -> Self {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        workbook.add_worksheet_with_constant_memory();
        Self { workbook, written: 0, failed: None }
    }

    fn sheet(&mut self) -> Result<&mut rust_xlsxwriter::Worksheet, rust_xlsxwriter::XlsxError> {
        self.workbook.worksheet_from_index(0)
    }

    /// Runs `write` unless an earlier write failed, and keeps its failure.
    fn attempt(&mut self, write: impl FnOnce(&mut Self) -> Result<(), rust_xlsxwriter::XlsxError>) {
        if self.failed.is_none() {
            if let Err(e) = write(self) {
                self.failed = Some(e);
            }
        }
    }

    /// The sheet's name, frozen heading and column widths, once, before the first row.
    fn head(&mut self, title: &str, columns: &[Column]) {
        if self.written > 0 {
            return;
        }
        self.attempt(|s| {
            let sheet = s.sheet()?;
            sheet.set_name(title.chars().take(31).collect::<String>())?;
            sheet.set_freeze_panes(1, 0)?;
            let head = rust_xlsxwriter::Format::new().set_bold().set_background_color(0xE6F4FF);
            for (c, col) in columns.iter().enumerate() {
                sheet.set_column_width(c as u16, 18)?;
                sheet.write_with_format(0, c as u16, &col.label, &head)?;
            }
            Ok(())
        });
        self.written = 1;
    }

    fn write(&mut self, row: &Row) {
        self.attempt(|s| {
            let r = s.written;
            let sheet = s.sheet()?;
            for (c, cell) in row.cells.iter().enumerate() {
                sheet.write(r, c as u16, &cell.text)?;
            }
            Ok(())
        });
        self.written += 1;
    }

    fn into_bytes(mut self) -> anyhow::Result<Vec<u8>> {
        if let Some(e) = self.failed {
            return Err(e.into());
        }
        Ok(self.workbook.save_to_buffer()?)
    }
}

/// Builds the query string of a list URL from its parameters.
fn query_string(params: &[(String, String)]) -> String {
    let encoded: Vec<String> =
        params.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))).collect();
    if encoded.is_empty() {
        String::new()
    } else {
        format!("?{}", encoded.join("&"))
    }
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl ListView {
    /// Starts a list at `base` for a request; `filters` are the current
    /// filter values (kept in every link so lists can be bookmarked).
    pub fn new(title: &str, base: &str, req: &PageRequest, filters: &[(&str, Option<String>)]) -> Self {
        let mut keep: Vec<(String, String)> =
            filters.iter().filter_map(|(k, v)| v.clone().map(|v| (k.to_string(), v))).filter(|(_, v)| !v.is_empty()).collect();
        if let Some(q) = req.keyword() {
            keep.push(("q".into(), q));
        }
        let sort = req.sort.clone().unwrap_or_default();
        if !sort.is_empty() {
            keep.push(("sort".into(), sort.clone()));
        }
        Self {
            title: title.into(),
            base: base.into(),
            q: req.keyword().unwrap_or_default(),
            page: req.page(),
            per_page: req.per_page(),
            sort,
            keep_params: keep,
            empty_hint: "暂无数据".into(),
            sheet: req.export.then(ExportSheet::new),
            ..Default::default()
        }
    }

    fn href_with(&self, extra: &[(&str, String)], skip: &[&str]) -> String {
        format!("{}{}", self.base, self.query_with(extra, skip))
    }

    /// The query string of the list's parameters but `skip`, with `extra`.
    fn query_with(&self, extra: &[(&str, String)], skip: &[&str]) -> String {
        let mut params: Vec<(String, String)> = self.keep_params.iter().filter(|(k, _)| !skip.contains(&k.as_str())).cloned().collect();
        params.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
        query_string(&params)
    }

    /// Adds a column; `sort_key` makes it sortable.
    pub fn column(&mut self, label: &str, sort_key: Option<&str>, right: bool) -> &mut Self {
        let (sort_href, sort_state) = match sort_key {
            Some(key) => {
                let (state, next) = if self.sort == key {
                    ("asc", format!("-{key}"))
                } else if self.sort == format!("-{key}") {
                    ("desc", key.to_string())
                } else {
                    ("", key.to_string())
                };
                (Some(self.href_with(&[("sort", next)], &["sort", "page"])), state)
            }
            None => (None, ""),
        };
        self.columns.push(Column { label: label.into(), right, sort_href, sort_state });
        self
    }

    /// Fills rows and the pager from a page of results.
    pub fn fill<T>(&mut self, page: Page<T>, row: impl Fn(&T) -> Row) {
        self.extend(page.items, row);
        self.finish(Found { total: page.total, capped: page.capped });
    }

    /// Adds the rows of some results, for a list that gets its results in
    /// parts (`finish` sets the pager once all are in). Each result is
    /// dropped once its row is made, and an export's rows go straight to its
    /// workbook: an export of many thousands holds neither its results nor
    /// its rows.
    pub fn extend<T>(&mut self, items: Vec<T>, row: impl Fn(&T) -> Row) {
        match &mut self.sheet {
            Some(sheet) => {
                sheet.head(&self.title, &self.columns);
                for item in items {
                    sheet.write(&row(&item));
                }
            }
            None => self.rows.extend(items.into_iter().map(|item| row(&item))),
        }
    }

    /// Sets the pager for what was found.
    pub fn finish(&mut self, found: Found) {
        self.has_actions = self.rows.iter().any(|r| !r.actions.is_empty());
        self.total = found.total;
        self.capped = found.capped;
        self.pages = found.total.div_ceil(self.per_page).max(1);
        let per_page = self.per_page.to_string();
        if self.page > 1 {
            self.prev_href = Some(self.href_with(&[("page", (self.page - 1).to_string()), ("per_page", per_page.clone())], &[]));
        }
        if self.page < self.pages {
            self.next_href = Some(self.href_with(&[("page", (self.page + 1).to_string()), ("per_page", per_page)], &[]));
        }
    }

    pub fn export(&mut self, path: &str) -> &mut Self {
        self.export_href = Some(format!("{path}{}", self.query_with(&[], &["page", "per_page"])));
        self
    }

    pub fn colspan(&self) -> usize {
        self.columns.len() + usize::from(self.has_actions)
    }

    /// What a capped list says under its heading.
    pub fn capped_note(&self) -> String {
        format!("匹配超过 {} 条，只列出最近建档的 {0} 条；输入更多字符可缩小范围。", thousands(self.total))
    }

    pub fn total_text(&self) -> String {
        let more = if self.capped { "+" } else { "" };
        format!("{}{more}", thousands(self.total))
    }

    pub fn page_sizes(&self) -> Vec<(u64, &'static str)> {
        [20, 50, 100].into_iter().map(|n| (n, if n == self.per_page { "selected" } else { "" })).collect()
    }

    /// The list as an Excel workbook: the same columns and cells as shown.
    /// An export's rows are in it already; a list that set its rows itself
    /// (a report's few) has them written now.
    pub fn into_xlsx(self) -> anyhow::Result<Vec<u8>> {
        let mut sheet = self.sheet.unwrap_or_else(ExportSheet::new);
        sheet.head(&self.title, &self.columns);
        for row in &self.rows {
            sheet.write(row);
        }
        sheet.into_bytes()
    }
}

/// `12345` → `12,345`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A form field as the template renders it.
#[derive(Debug, Clone, Default)]
pub struct Field {
    pub name: String,
    pub label: String,
    /// `text`, `password`, `number`, `date`, `datetime-local`, `textarea`,
    /// `select`, `checks`, `bool`, `file` or `hidden`.
    pub kind: &'static str,
    pub value: String,
    pub required: bool,
    pub readonly: bool,
    /// Example text shown in an empty input.
    pub example: String,
    pub hint: String,
    pub error: Option<String>,
    pub options: Vec<SelectOption>,
    /// JSON list endpoint that suggests values as the user types.
    pub suggest: String,
    /// Picked item keys copied into other fields, `key:field,…` (see app.js).
    pub fill: String,
    /// A file input's `accept`, e.g. `image/*`.
    pub accept: String,
    /// A file input that takes several files.
    pub multiple: bool,
}

impl Field {
    pub fn new(kind: &'static str, name: &str, label: &str, value: impl Into<String>) -> Self {
        Self { kind, name: name.into(), label: label.into(), value: value.into(), ..Default::default() }
    }

    /// A value the form carries without showing it (ids filled by a picker, one-time tokens).
    pub fn hidden(name: &str, value: impl Into<String>) -> Self {
        Self::new("hidden", name, "", value)
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn readonly(mut self) -> Self {
        self.readonly = true;
        self
    }

    pub fn hint(mut self, h: &str) -> Self {
        self.hint = h.into();
        self
    }

    pub fn example(mut self, p: &str) -> Self {
        self.example = p.into();
        self
    }

    pub fn options(mut self, options: Vec<SelectOption>) -> Self {
        self.options = options;
        self
    }

    pub fn suggest(mut self, url: &str) -> Self {
        self.suggest = url.into();
        self
    }

    pub fn fill(mut self, spec: &str) -> Self {
        self.fill = spec.into();
        self
    }

    /// A file input taking `accept` (e.g. `image/*`, which phones answer
    /// with the camera or the photo library), several files at once.
    /// Browsers never refill a file input, so a refused form asks for the
    /// files again in the hint, which stays beside the error.
    pub fn files(name: &str, label: &str, accept: &str) -> Self {
        Self { accept: accept.into(), multiple: true, ..Self::new("file", name, label, "") }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Section {
    pub title: String,
    pub wide: bool,
    pub fields: Vec<Field>,
}

impl Section {
    pub fn new(title: &str, fields: Vec<Field>) -> Self {
        Self { title: title.into(), wide: false, fields }
    }
}

#[derive(Debug, Clone, Default)]
pub struct FormView {
    pub title: String,
    pub action: String,
    pub version: Option<i32>,
    pub sections: Vec<Section>,
    pub submit_label: String,
    pub cancel_href: String,
    pub error: Option<String>,
}

impl FormView {
    pub fn new(title: &str, action: String, cancel_href: &str, sections: Vec<Section>) -> Self {
        Self { title: title.into(), action, sections, submit_label: "保存".into(), cancel_href: cancel_href.into(), ..Default::default() }
    }

    pub fn version(mut self, v: i32) -> Self {
        self.version = Some(v);
        self
    }

    /// Puts each field error beside its field and a summary on top.
    pub fn with_errors(mut self, errors: &FieldErrors) -> Self {
        for s in &mut self.sections {
            for f in &mut s.fields {
                f.error = errors.get(&f.name).map(str::to_string);
            }
        }
        let unplaced: Vec<&str> = errors
            .iter()
            .filter(|(k, _)| !self.sections.iter().any(|s| s.fields.iter().any(|f| &&f.name == k)))
            .map(|(_, v)| v.as_str())
            .collect();
        self.error =
            Some(if unplaced.is_empty() { "提交的内容有误，请检查标出的字段".into() } else { unplaced.join("；") });
        self
    }

    pub fn with_message(mut self, message: String) -> Self {
        self.error = Some(message);
        self
    }

    /// Whether the form has a file input, and so posts `multipart/form-data`.
    pub fn multipart(&self) -> bool {
        self.sections.iter().any(|s| s.fields.iter().any(|f| f.kind == "file"))
    }

    /// The address a multipart form posts to: its action with the CSRF token
    /// in the query, where the server checks it without reading the upload.
    pub fn multipart_action(&self, csrf: &str) -> String {
        let sep = if self.action.contains('?') { '&' } else { '?' };
        format!("{}{sep}_csrf={}", self.action, urlencode(csrf))
    }
}

/// A UTC instant shown in the company's zone as `2026-11-22 14:30`.
pub fn local_time(tz: chrono_tz::Tz, t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

pub fn local_time_opt(tz: chrono_tz::Tz, t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| local_time(tz, t)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separator() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(12345), "12,345");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn sort_links_toggle_and_keep_filters() {
        let req = PageRequest { sort: Some("name".into()), q: Some("张".into()), ..Default::default() };
        let mut l = ListView::new("用户", "/system/users", &req, &[("enabled", Some("1".into()))]);
        l.column("姓名", Some("name"), false).column("登录名", Some("username"), false);
        assert_eq!(l.columns[0].sort_state, "asc");
        assert_eq!(l.columns[0].sort_href.as_deref(), Some("/system/users?enabled=1&q=%E5%BC%A0&sort=-name"));
        assert_eq!(l.columns[1].sort_state, "");
    }

    #[test]
    fn a_form_with_a_file_input_posts_multipart_with_the_token_in_its_address() {
        let plain = FormView::new("新建", "/x/new".into(), "/x", vec![Section::new("", vec![Field::new("text", "a", "A", "")])]);
        assert!(!plain.multipart());
        let with_file =
            FormView::new("新建", "/x/new?room_id=3".into(), "/x", vec![Section::new("", vec![Field::files("photos", "照片", "image/*")])]);
        assert!(with_file.multipart());
        assert_eq!(with_file.multipart_action("t0k"), "/x/new?room_id=3&_csrf=t0k");
        assert_eq!(plain.multipart_action("t0k"), "/x/new?_csrf=t0k");
    }

    #[test]
    fn pager_links() {
        let req = PageRequest { page: Some(2), per_page: Some(20), ..Default::default() };
        let mut l = ListView::new("x", "/x", &req, &[]);
        l.fill(Page::new(vec![1; 20], 45), |_| Row::default());
        assert_eq!(l.pages, 3);
        assert_eq!(l.prev_href.as_deref(), Some("/x?page=1&per_page=20"));
        assert_eq!(l.next_href.as_deref(), Some("/x?page=3&per_page=20"));
    }

    fn linked_row(n: &u32) -> Row {
        Row {
            cells: vec![Cell::link(format!("单号 {n}"), format!("/x/{n}")), Cell::tag("待派工", "blue")],
            actions: vec![RowAction::get("处理", format!("/x/{n}"))],
        }
    }

    #[test]
    fn a_list_filled_in_parts_is_the_list_filled_at_once() {
        let req = PageRequest { per_page: Some(2), ..Default::default() };
        let mut whole = ListView::new("x", "/x", &req, &[]);
        whole.fill(Page::new(vec![1, 2, 3], 7), linked_row);
        let mut parts = ListView::new("x", "/x", &req, &[]);
        parts.extend(vec![1, 2], linked_row);
        parts.extend(vec![3], linked_row);
        parts.finish(Found::total(7));
        let texts = |l: &ListView| l.rows.iter().map(|r| r.cells.iter().map(|c| c.text.clone()).collect::<Vec<_>>()).collect::<Vec<_>>();
        assert_eq!(texts(&parts), texts(&whole));
        assert_eq!((parts.pages, parts.has_actions, &parts.next_href), (4, true, &whole.next_href));
        assert_eq!(parts.rows[2].cells[0].href.as_deref(), Some("/x/3"), "a page keeps its links");
    }

    #[test]
    fn an_exports_rows_go_straight_to_its_workbook() {
        use calamine::{open_workbook_from_rs, Reader, Xlsx};
        let mut l = ListView::new("工单队列", "/x", &PageRequest::default().for_export(), &[]);
        l.column("工单号", None, false).column("状态", None, false);
        l.extend(vec![1, 2], linked_row);
        l.extend(vec![3], linked_row);
        l.finish(Found::total(3));
        assert!(l.rows.is_empty() && !l.has_actions, "the list holds none of them");
        let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(l.into_xlsx().unwrap())).unwrap();
        assert_eq!(wb.sheet_names(), ["工单队列"]);
        let cells: Vec<Vec<String>> =
            wb.worksheet_range_at(0).unwrap().unwrap().rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        assert_eq!(cells, [["工单号", "状态"], ["单号 1", "待派工"], ["单号 2", "待派工"], ["单号 3", "待派工"]]);
    }

    #[test]
    fn a_list_that_sets_its_own_rows_exports_them_and_an_empty_export_has_its_heading() {
        use calamine::{open_workbook_from_rs, Reader, Xlsx};
        let read = |l: ListView| {
            let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(l.into_xlsx().unwrap())).unwrap();
            wb.worksheet_range_at(0).unwrap().unwrap().rows().map(|r| r[0].to_string()).collect::<Vec<_>>()
        };
        let mut report = ListView { title: "服务指标".into(), ..Default::default() };
        report.column("项目", None, false);
        report.rows.push(linked_row(&7));
        assert_eq!(read(report), ["项目", "单号 7"]);
        let mut empty = ListView::new("工单队列", "/x", &PageRequest::default().for_export(), &[]);
        empty.column("工单号", None, false);
        empty.fill(Page::new(Vec::<u32>::new(), 0), linked_row);
        assert_eq!(read(empty), ["工单号"]);
    }

    #[test]
    fn the_export_link_keeps_the_filters_but_not_the_page() {
        let req = PageRequest { page: Some(3), per_page: Some(50), q: Some("漏水".into()), ..Default::default() };
        let mut l = ListView::new("x", "/workorders", &req, &[("state", Some("accepted".into())), ("page", Some("3".into()))]);
        l.export("/workorders/export");
        assert_eq!(l.export_href.as_deref(), Some("/workorders/export?state=accepted&q=%E6%BC%8F%E6%B0%B4"));
    }
}
