//! Where an incident came from (来源).

use serde::{Deserialize, Serialize};

/// 来源. The JSON and command-line spelling is the code in [`Source::code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Source {
    #[serde(rename = "110")]
    Police110,
    #[serde(rename = "12345")]
    Hotline12345,
    #[serde(rename = "12319")]
    CityWorks12319,
    #[serde(rename = "grid")]
    GridPatrol,
    #[serde(rename = "resident")]
    Resident,
    #[serde(rename = "opinion")]
    PublicOpinion,
    #[serde(rename = "wechat")]
    WeChat,
    #[serde(rename = "iot")]
    Iot,
    #[serde(rename = "video")]
    VideoPatrol,
    #[serde(rename = "hotline")]
    StreetHotline,
    #[serde(rename = "district")]
    DistrictOrder,
    #[serde(rename = "meeting")]
    JointMeeting,
    #[serde(rename = "walkin")]
    WalkIn,
    #[serde(rename = "other")]
    Other,
}

impl Source {
    /// Every source, in the order the command line lists them.
    pub const ALL: [Source; 14] = [
        Source::Police110,
        Source::Hotline12345,
        Source::CityWorks12319,
        Source::GridPatrol,
        Source::Resident,
        Source::PublicOpinion,
        Source::WeChat,
        Source::Iot,
        Source::VideoPatrol,
        Source::StreetHotline,
        Source::DistrictOrder,
        Source::JointMeeting,
        Source::WalkIn,
        Source::Other,
    ];

    /// The code used on the command line and in JSON.
    pub fn code(self) -> &'static str {
        match self {
            Source::Police110 => "110",
            Source::Hotline12345 => "12345",
            Source::CityWorks12319 => "12319",
            Source::GridPatrol => "grid",
            Source::Resident => "resident",
            Source::PublicOpinion => "opinion",
            Source::WeChat => "wechat",
            Source::Iot => "iot",
            Source::VideoPatrol => "video",
            Source::StreetHotline => "hotline",
            Source::DistrictOrder => "district",
            Source::JointMeeting => "meeting",
            Source::WalkIn => "walkin",
            Source::Other => "other",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|src| src.code() == s.trim())
    }
}
