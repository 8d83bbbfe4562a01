//! Photos of a work order (SVC-1): what may be stored. The type is sniffed
//! from the first bytes of the file — never taken from the client's content
//! type or the file name, which anyone can set — and size and count are
//! bounded.

use super::WorkOrderState;

/// The largest photo accepted: a phone photo is 2–6 MB.
pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;
/// Photos per order, as many as a phone's share sheet sends at once.
pub const MAX_PHOTOS_PER_ORDER: usize = 9;
/// What the refusals and hints name as accepted.
pub const ACCEPTED_TYPES: &str = "JPEG、PNG、WebP 或 HEIC";

/// An image format recognised by its signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageType {
    Jpeg,
    Png,
    Webp,
    /// HEIC/HEIF as iPhones and some Android phones save them.
    Heic,
    Heif,
}

/// HEIF brands of still images: `heic`/`heix` (HEVC-coded), their
/// multi-image variants, and the generic `mif1`/`msf1` of the HEIF
/// standard. AVIF shares the container and is told apart by its own brand.
const HEIC_BRANDS: [&[u8; 4]; 6] = [b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"];
const HEIF_BRANDS: [&[u8; 4]; 2] = [b"mif1", b"msf1"];

impl ImageType {
    /// The type of `bytes`, recognised by the format's signature.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            sniff_heif(bytes)
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Heic => "image/heic",
            Self::Heif => "image/heif",
        }
    }

    /// Whether common browsers show the format in an `<img>`; HEIC/HEIF
    /// only Safari does, so pages offer those as a download.
    pub fn browsers_show(content_type: &str) -> bool {
        matches!(content_type, "image/jpeg" | "image/png" | "image/webp")
    }
}

/// An ISO base media file starts with an `ftyp` box: size, `ftyp`, the
/// major brand, a minor version and the compatible brands.
fn sniff_heif(bytes: &[u8]) -> Option<ImageType> {
    if bytes.len() < 16 || &bytes[4..8] != b"ftyp" {
        return None;
    }
    let size = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    if size < 16 || size > bytes.len() || !size.is_multiple_of(4) {
        return None;
    }
    let major: &[u8] = &bytes[8..12];
    let compatible: Vec<&[u8]> = bytes[16..size].chunks(4).collect();
    let brands = || std::iter::once(major).chain(compatible.iter().copied());
    if brands().any(|b| b == b"avif" || b == b"avis") {
        return None;
    }
    if brands().any(|b| HEIC_BRANDS.iter().any(|h| b == *h)) {
        Some(ImageType::Heic)
    } else if brands().any(|b| HEIF_BRANDS.iter().any(|h| b == *h)) {
        Some(ImageType::Heif)
    } else {
        None
    }
}

/// A photo that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedPhoto {
    pub image_type: ImageType,
    pub file_name: String,
    pub size: usize,
}

/// The file name as shown and stored: without any folder a browser or
/// client sent, at most 200 characters, `照片` when none was given.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if cleaned.is_empty() {
        "照片".into()
    } else {
        cleaned
    }
}

/// `10485760` → `10.0 MB`.
fn megabytes(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

/// Checks one photo: not empty, not over the size limit, of an accepted
/// type as its bytes say. The message names the file.
pub fn check(file_name: &str, bytes: &[u8]) -> Result<CheckedPhoto, String> {
    let file_name = clean_file_name(file_name);
    if bytes.is_empty() {
        return Err(format!("照片“{file_name}”是空文件，请重新选择"));
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(format!(
            "照片“{file_name}”有 {}，超过每张 {} 的上限，请压缩后再上传",
            megabytes(bytes.len()),
            megabytes(MAX_PHOTO_BYTES)
        ));
    }
    let image_type =
        ImageType::sniff(bytes).ok_or_else(|| format!("文件“{file_name}”不是可识别的图片，只接受 {ACCEPTED_TYPES} 格式的照片"))?;
    Ok(CheckedPhoto { image_type, file_name, size: bytes.len() })
}

/// Checks that `adding` more photos keep the order within the limit.
pub fn check_count(existing: usize, adding: usize) -> Result<(), String> {
    if existing + adding <= MAX_PHOTOS_PER_ORDER {
        Ok(())
    } else if existing == 0 {
        Err(format!("每张工单最多 {MAX_PHOTOS_PER_ORDER} 张照片，本次选了 {adding} 张"))
    } else {
        Err(format!(
            "每张工单最多 {MAX_PHOTOS_PER_ORDER} 张照片，已有 {existing} 张，本次选了 {adding} 张，最多还能上传 {} 张",
            MAX_PHOTOS_PER_ORDER.saturating_sub(existing)
        ))
    }
}

/// When a photo was taken: with the request (报修照片) or by the engineer
/// on site (完工照片).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoStage {
    Report,
    Completion,
}

impl PhotoStage {
    pub const ALL: [PhotoStage; 2] = [Self::Report, Self::Completion];

    pub fn code(self) -> &'static str {
        match self {
            Self::Report => "report",
            Self::Completion => "completion",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Report => "报修照片",
            Self::Completion => "完工照片",
        }
    }

    /// The stage of a photo added now: 报修照片 until the engineer has
    /// started on site, 完工照片 from then on; a closed or voided order
    /// takes no more photos.
    pub fn for_order(state: WorkOrderState, started: bool) -> Result<Self, &'static str> {
        match state {
            WorkOrderState::Closed | WorkOrderState::Voided => Err("工单已结束，不能再上传照片"),
            _ if started => Ok(Self::Completion),
            _ => Ok(Self::Report),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A complete 1×1 PNG.
    const PNG: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
        0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63,
        0xF8, 0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44,
        0xAE, 0x42, 0x60, 0x82,
    ];
    /// The start of a JFIF JPEG (SOI, APP0 "JFIF").
    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01];
    /// An Exif JPEG as phone cameras write it (SOI, APP1 "Exif").
    const JPEG_EXIF: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x16, 0x45, 0x78, 0x69, 0x66, 0x00, 0x00];
    /// A lossy WebP header: RIFF, size, WEBP, VP8 chunk.
    const WEBP: &[u8] = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00";
    /// The `ftyp` box of an iPhone HEIC: major `heic`, compatible `mif1 heic`.
    const HEIC: &[u8] = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic\x00\x00\x00\x00meta";
    /// A generic HEIF (`mif1` with `heic` compatible, as Android phones write).
    const HEIF_MIF1: &[u8] = b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1heicmiaf\x00\x00\x00\x00meta";
    /// AVIF shares the container; not accepted.
    const AVIF: &[u8] = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf\x00\x00\x00\x00meta";
    /// An MP4 video: an `ftyp` box of another brand.
    const MP4: &[u8] = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2\x00\x00\x00\x00moov";

    #[test]
    fn types_are_known_by_their_first_bytes() {
        assert_eq!(ImageType::sniff(PNG), Some(ImageType::Png));
        assert_eq!(ImageType::sniff(JPEG), Some(ImageType::Jpeg));
        assert_eq!(ImageType::sniff(JPEG_EXIF), Some(ImageType::Jpeg));
        assert_eq!(ImageType::sniff(WEBP), Some(ImageType::Webp));
        assert_eq!(ImageType::sniff(HEIC), Some(ImageType::Heic));
        assert_eq!(ImageType::sniff(HEIF_MIF1), Some(ImageType::Heic), "a heic brand among the compatible ones");
        assert_eq!(ImageType::sniff(b"\x00\x00\x00\x14ftypmif1\x00\x00\x00\x00mif1"), Some(ImageType::Heif));
        assert_eq!(ImageType::sniff(AVIF), None);
        assert_eq!(ImageType::sniff(MP4), None);
        assert_eq!(ImageType::sniff(b"GIF89a\x01\x00\x01\x00"), None);
        assert_eq!(ImageType::sniff(b"%PDF-1.7"), None);
        assert_eq!(ImageType::sniff(b"RIFF\x24\x00\x00\x00WAVEfmt "), None, "a WAV file is RIFF too");
        assert_eq!(ImageType::sniff(&PNG[..7]), None, "a cut signature");
        assert_eq!(ImageType::sniff(b"\x00\x00\x01\x00ftypheic\x00\x00\x00\x00"), None, "an ftyp box longer than the file");
        assert_eq!(ImageType::Heic.content_type(), "image/heic");
        assert!(ImageType::browsers_show("image/webp") && !ImageType::browsers_show("image/heic"));
    }

    #[test]
    fn the_name_and_content_type_do_not_count() {
        let e = check("发票.jpg", "这是一段文字，不是照片".as_bytes()).unwrap_err();
        assert_eq!(e, "文件“发票.jpg”不是可识别的图片，只接受 JPEG、PNG、WebP 或 HEIC 格式的照片");
        let ok = check("scan.txt", PNG).unwrap();
        assert_eq!(ok.image_type, ImageType::Png, "a PNG is a PNG whatever its name");
        assert_eq!(ok.size, PNG.len());
    }

    #[test]
    fn empty_and_oversized_files_are_refused_by_name() {
        assert_eq!(check("厨房.jpg", &[]).unwrap_err(), "照片“厨房.jpg”是空文件，请重新选择");
        let mut big = JPEG.to_vec();
        big.resize(MAX_PHOTO_BYTES, 0);
        assert!(check("刚好.jpg", &big).is_ok(), "exactly 10 MB is allowed");
        big.resize(11 * 1024 * 1024, 0);
        assert_eq!(check("大图.jpg", &big).unwrap_err(), "照片“大图.jpg”有 11.0 MB，超过每张 10.0 MB 的上限，请压缩后再上传");
    }

    #[test]
    fn at_most_nine_per_order() {
        assert!(check_count(0, 9).is_ok());
        assert!(check_count(8, 1).is_ok());
        assert_eq!(check_count(9, 1).unwrap_err(), "每张工单最多 9 张照片，已有 9 张，本次选了 1 张，最多还能上传 0 张");
        assert_eq!(check_count(0, 10).unwrap_err(), "每张工单最多 9 张照片，本次选了 10 张");
        assert_eq!(check_count(7, 3).unwrap_err(), "每张工单最多 9 张照片，已有 7 张，本次选了 3 张，最多还能上传 2 张");
    }

    #[test]
    fn file_names_lose_their_folders() {
        assert_eq!(clean_file_name("C:\\Users\\li\\Pictures\\漏水.jpg"), "漏水.jpg");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("  "), "照片");
        assert_eq!(clean_file_name("a\u{0}b.png"), "ab.png");
        assert_eq!(clean_file_name(&"长".repeat(300)).chars().count(), 200);
    }

    #[test]
    fn the_stage_follows_the_engineer() {
        use WorkOrderState::*;
        assert_eq!(PhotoStage::for_order(PendingDispatch, false), Ok(PhotoStage::Report));
        assert_eq!(PhotoStage::for_order(WaitingCustomer, false), Ok(PhotoStage::Report), "waiting before anyone came");
        assert_eq!(PhotoStage::for_order(InProgress, true), Ok(PhotoStage::Completion));
        assert_eq!(PhotoStage::for_order(Completed, true), Ok(PhotoStage::Completion));
        assert_eq!(PhotoStage::for_order(Closed, true), Err("工单已结束，不能再上传照片"));
        assert!(PhotoStage::for_order(Voided, false).is_err());
        for s in PhotoStage::ALL {
            assert_eq!(PhotoStage::from_code(s.code()), Some(s));
        }
    }
}
