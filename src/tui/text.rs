//! Every string the console shows, in Chinese and English.

use crate::config::Lang;
use crate::domain::Class;
use crate::domain::{
    Channel, ClockName, DutyStatus, FeedbackResult, ReturnReason, Satisfaction, Source, Status,
};

macro_rules! texts {
    ($($name:ident => $zh:literal, $en:literal;)*) => {
        /// A fixed piece of screen text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum T { $($name),* }

        impl T {
            /// Every fixed text, in declaration order.
            pub const ALL: &[T] = &[$(T::$name),*];

            /// The text in `lang`.
            pub fn get(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((T::$name, Lang::Zh) => $zh, (T::$name, Lang::En) => $en,)*
                }
            }
        }
    };
}

texts! {
    ModeNormal => "常态", "normal";
    ModeNight => "夜间", "night";
    Hub => "枢纽", "hub";
    HubLocal => "本地", "local";
    Outbox => "出站", "outbox";
    OnDuty => "值班", "on duty";
    Queue => "队列", "Queue";
    Detail => "详情", "Detail";
    Roster => "力量", "Roster";
    Board => "督导看板", "Supervisor board";
    TabNew => "待签收", "to claim";
    TabActive => "处置中", "handling";
    TabFeedback => "待反馈", "await feedback";
    TabVerify => "待核查", "to verify";
    TabBreached => "超时", "overdue";
    TabAll => "全部", "all";
    ColCountdown => "倒计时", "due";
    ColStatus => "状态", "status";
    ColSource => "来源", "source";
    ColCategory => "类别", "category";
    ColPlace => "地点", "place";
    ColSummary => "摘要", "summary";
    ColClass => "类", "cls";
    ColPriority => "急", "pri";
    ColMarks => "标记", "marks";
    ColGrid => "网格", "grid";
    ColClock => "时限", "clock";
    ColRef => "编号", "ref";
    Loading => "正在读取数据…", "loading…";
    Empty => "(无)", "(none)";
    NoSelection => "未选中事项", "nothing selected";
    Caller => "来电", "caller";
    RevealHint => "(s 显示号码)", "(s to reveal)";
    Classification => "分类", "class";
    Basis => "依据", "basis";
    NotTriaged => "未分类", "not triaged";
    Clocks => "时限", "clocks";
    Timeline => "过程", "timeline";
    Responders => "处置力量", "responders";
    Help => "帮助 — 按键", "Help — keys";
    HelpClose => "Esc 关闭", "Esc closes";
    Dangerous => "需确认", "asks first";
    ConfirmTitle => "请确认", "Confirm";
    ConfirmYesNo => "y 确认  n 取消", "y yes  n no";
    QuitAsk => "退出分流控制台?", "Quit the fenliu console?";
    WarOnAsk => "切换为战时? 全指挥室各工作站按战时时限计时", "Switch the station to war mode? Every workstation runs on the war limits";
    WarOffAsk => "恢复常态? 全指挥室各工作站按常态时限计时", "Back to normal? Every workstation runs on the normal limits";
    DispatchTitle => "指派", "Dispatch";
    Search => "搜索", "search";
    Channel => "渠道", "channel";
    Chosen => "已选", "chosen";
    DispatchKeys => "输入筛选  ↑↓ 移动  空格 选择  ←→ 渠道  Enter 指派  Esc 取消", "type to search  ↑↓ move  space pick  ←→ channel  Enter send  Esc cancel";
    FormKeys => "↑↓ 字段  ←→ 选项  Enter 确定  Esc 取消", "↑↓ field  ←→ option  Enter ok  Esc cancel";
    Filter => "筛选", "filter";
    Command => "命令", "command";
    NoItem => "没有选中的事项", "no item selected";
    OrderNo => "工单号", "order no.";
    ReportTitle => "统计报表（本月）", "Figures (this month)";
    Figures => "指标与目标", "figures and targets";
    Received => "接报", "received";
    ToHotlineCount => "转12345", "to hotline";
    ReopenedCount => "重办", "reopened";
    RateDiversion => "分流率", "diversion";
    RateClaim => "签收及时率", "claim on time";
    RateArrival => "到场率", "arrival";
    RateOnTime => "及时率", "on-time arrival";
    RateHandling => "处置率", "handling";
    RateCompletion => "办结率", "completion";
    RateSatisfaction => "满意率", "satisfaction";
    RateRepeat => "重复报警率", "repeat calls";
    ByHour => "分时接报", "received by hour";
    ClocksOnTime => "时限按时率", "clocks on time";
    ByCategory => "分类接报", "received by category";
    Ranking => "流动红旗", "responder ranking";
    RankingHead => "   力量     到场率  及时率  处置率", "   responder arrival on-time handling";
    NoItemHere => "力量视图中没有选中的事项：按 Esc 回到队列", "the roster highlights no item: Esc goes back to the queue";
    NoSuchRef => "没有这个编号的事项", "no item with this reference";
    TakesNoArgs => "这个命令不带参数", "this command takes no argument";
    OneRef => "这个命令只带一个编号", "this command takes one reference";
    NeedRef => "请给出事项编号", "give an item's reference";
    NeedWords => "请给出要查找的号码或文字", "give a phone number or words to find";
    ClaimAndDispatch => "签收并指派", "claim and dispatch";
    KeptRow => "已移出本栏", "moved out of this tab";
    RefusedHere => "当前事项不可操作", "not possible on this item now";
    NeedResponder => "请至少选择一名处置力量", "pick at least one responder";
    NeedReason => "请写明原因", "give a reason";
    Withdraw => "撤回", "withdraw";
    SendInstead => "改派给", "send instead";
    ReassignKeys => "Tab 下一栏  ←→ 撤回谁  输入筛选 ↑↓ 选择  Enter 改派  Esc 取消", "Tab next  ←→ withdraw whom  type to search ↑↓ pick  Enter reassign  Esc cancel";
    ColOfficer => "值班员", "officer";
    ColWhere => "地点/网格", "place/grid";
    LateResponders => "迟到力量", "late responders";
    NotDeparted => "未出发", "not set off";
    NotArrived => "未到场", "not arrived";
    BoardSortHint => "排序 C 时限 O 值班员 P 力量", "sort C clock O officer P responder";
    HeldUntil => "夜间留存至", "held until";
    BackThen => "届时回到待签收", "then back to claim";
    RedFlagsKept => "升级情节仍在", "red flags stay";
    DispatchLegend => "★ 对口部门  ◎ 本网格  先在岗后忙碌", "★ serves the department  ◎ same grid  available first";
    NeedText => "内容不能为空", "text is empty";
    Saved => "已记录", "recorded";
    Failed => "失败", "failed";
    UnknownCommand => "未知命令", "unknown command";
    Result => "结果", "result";
    Note => "备注", "note";
    Reason => "原因", "reason";
    Outcome => "核查结论", "verdict";
    VerifyOk => "通过", "passed";
    VerifyBack => "发回重办", "send back";
    Satisfaction => "满意度", "satisfaction";
    Level => "级别", "level";
    Text => "内容", "text";
    Address => "地址", "address";
    Phone => "电话", "phone";
    Priority => "紧急程度", "priority";
    Urgent => "紧急", "urgent";
    NormalPri => "一般", "normal";
    NonUrgent => "非紧急", "non-urgent";
    Unit => "单位", "unit";
    Assignment => "当前任务", "assignment";
    Running => "运行中", "running";
    BreachedCount => "已超时", "breached";
    WarningCount => "将超时", "warning";
    Free => "空闲", "free";
    ByReveal => "查看号码", "phone revealed";
    Speed => "演示倍速", "demo speed";
    HubOnline => "在线", "online";
    HubOffline => "离线", "offline";
    ClockSkew => "时钟偏差", "clock skew";
    HubChanged => "枢纽已换或已恢复", "hub replaced or restored";
    LastSync => "上次同步", "last sync";
    LastSyncShort => "同步", "sync";
    Reconnecting => "重连", "reconnecting";
    Trying => "试连", "trying";
    OutboxShort => "出", "out";
    ClockSkewShort => "偏差", "skew";
    HubChangedShort => "枢纽已换", "hub changed";
    ModeWar => "⚑战时", "⚑war";
    CategoryCode => "类别代码", "category code";
    Mode => "派单模式", "dispatch mode";
    ModeOfCategory => "按类别", "as listed";
    Suggestion => "研判建议", "suggested";
}

/// Screen name of a triage class.
pub fn class(c: Class, lang: Lang) -> &'static str {
    let (zh, en) = match c {
        Class::Police => ("警务类", "police"),
        Class::NonPolice => ("非警务类", "non-police"),
        Class::Uncertain => ("无法界定", "uncertain"),
    };
    pick(lang, zh, en)
}

/// Screen name of a status.
pub fn status(s: Status, lang: Lang) -> &'static str {
    let w = crate::command::words::status(s);
    pick(lang, w.zh, w.en)
}

/// Screen name of a source.
pub fn source(s: Source, lang: Lang) -> &'static str {
    let (zh, en) = match s {
        Source::Police110 => ("110", "110"),
        Source::Hotline12345 => ("12345", "12345"),
        Source::CityWorks12319 => ("12319", "12319"),
        Source::GridPatrol => ("网格巡查", "grid"),
        Source::Resident => ("居村上报", "resident"),
        Source::PublicOpinion => ("舆情", "opinion"),
        Source::WeChat => ("微信", "wechat"),
        Source::Iot => ("物联感知", "iot"),
        Source::VideoPatrol => ("视频巡查", "video"),
        Source::StreetHotline => ("联动热线", "hotline"),
        Source::DistrictOrder => ("区级派单", "district"),
        Source::JointMeeting => ("联席交办", "meeting"),
        Source::WalkIn => ("来访", "walk-in"),
        Source::Other => ("其他", "other"),
    };
    pick(lang, zh, en)
}

/// Screen name of a clock.
pub fn clock(c: ClockName, lang: Lang) -> &'static str {
    let (zh, en) = match c {
        ClockName::Claim => ("签收", "claim"),
        ClockName::Contact => ("联系", "contact"),
        ClockName::Video => ("监控", "video"),
        ClockName::Depart => ("出发", "depart"),
        ClockName::Arrive => ("到场", "arrive"),
        ClockName::Feedback => ("反馈", "feedback"),
    };
    pick(lang, zh, en)
}

/// Screen name of a duty status.
pub fn duty(d: DutyStatus, lang: Lang) -> &'static str {
    let (zh, en) = match d {
        DutyStatus::Available => ("在岗", "available"),
        DutyStatus::Assigned => ("已派", "assigned"),
        DutyStatus::EnRoute => ("途中", "en route"),
        DutyStatus::OnScene => ("现场", "on scene"),
        DutyStatus::OffDuty => ("离岗", "off duty"),
    };
    pick(lang, zh, en)
}

/// Screen name of a channel.
pub fn channel(c: Channel, lang: Lang) -> &'static str {
    let (zh, en) = match c {
        Channel::Radio => ("对讲机", "radio"),
        Channel::Wechat => ("微信群", "WeChat"),
        Channel::Phone => ("电话", "phone"),
        Channel::Order => ("工单", "work order"),
    };
    pick(lang, zh, en)
}

/// Screen name of a feedback result.
pub fn feedback(r: FeedbackResult, lang: Lang) -> &'static str {
    let (zh, en) = match r {
        FeedbackResult::Resolved => ("现场办结", "resolved"),
        FeedbackResult::HandedOver => ("移交部门", "handed over"),
        FeedbackResult::Unresolved => ("未办结", "unresolved"),
    };
    pick(lang, zh, en)
}

/// Screen name of a callback answer.
pub fn satisfaction(s: Satisfaction, lang: Lang) -> &'static str {
    let (zh, en) = match s {
        Satisfaction::Satisfied => ("满意", "satisfied"),
        Satisfaction::Basic => ("基本满意", "basically"),
        Satisfaction::Dissatisfied => ("不满意", "dissatisfied"),
        Satisfaction::Unreachable => ("未接通", "unreachable"),
    };
    pick(lang, zh, en)
}

/// Screen name of a return reason.
pub fn reason(r: ReturnReason, lang: Lang) -> &'static str {
    let (zh, en) = match r {
        ReturnReason::Incomplete => ("要素不全", "incomplete"),
        ReturnReason::NotOurArea => ("非本辖区", "not our area"),
        ReturnReason::Duplicate => ("重复", "duplicate"),
        ReturnReason::OutOfScope => ("不属受理范围", "out of scope"),
    };
    pick(lang, zh, en)
}

fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// Screen words for a journal event, responders by name.
pub fn event(kind: &crate::domain::EventKind, lang: Lang, names: &crate::domain::Names) -> String {
    use crate::domain::EventKind as K;
    let (zh, en) = match kind {
        K::Received(_) => ("接报", "received"),
        K::Triaged(_) => ("分类", "classified"),
        K::Claimed => ("签收", "claimed"),
        K::Dispatched { .. } => ("指派", "dispatched"),
        K::PartyContacted { .. } => ("联系当事人", "party contacted"),
        K::VideoRetrieved { .. } => ("调取监控", "video pulled"),
        K::Departed { .. } => ("出发", "departed"),
        K::Arrived { .. } => ("到场", "arrived"),
        K::Reassigned { .. } => ("改派", "reassigned"),
        K::FeedbackGiven { .. } => ("反馈", "feedback"),
        K::Verified { .. } => ("核查通过", "verified"),
        K::SentBack { .. } => ("发回重办", "sent back"),
        K::Closed => ("结案", "closed"),
        K::CalledBack { .. } => ("回访", "called back"),
        K::Returned { .. } => ("退回", "returned"),
        K::TransferredToPolice { .. } => ("转警务", "to police"),
        K::UploadedToDistrict { .. } => ("上报区级", "to district"),
        K::HandedToHotline { .. } => ("转12345工单", "to hotline"),
        K::Reopened { .. } => ("重办", "reopened"),
        K::Deferred { .. } => ("夜间留存", "deferred"),
        K::Escalated { .. } => ("督办", "escalated"),
        K::NoteAdded { .. } => ("备注", "note"),
        K::MergedInto { .. } => ("合并", "merged"),
        K::PhoneRevealed => ("查看号码", "phone revealed"),
        K::Station { station: st } => return station(st, lang),
    };
    let word = pick(lang, zh, en);
    match kind {
        K::Dispatched {
            responders,
            channel: c,
        } => format!(
            "{word} {} ({})",
            names.join(responders, ", "),
            channel(*c, lang)
        ),
        K::Departed { responder } | K::Arrived { responder } => {
            format!("{word} {}", names.label(responder))
        }
        K::Reassigned {
            from, to, reason, ..
        } => format!(
            "{word} {} → {}: {reason}",
            names.label(from),
            names.label(to)
        ),
        K::FeedbackGiven { result, text } => format!(
            "{word}: {} {}",
            feedback(*result, lang),
            text.as_deref().unwrap_or("")
        ),
        K::CalledBack {
            satisfaction: s, ..
        } => format!("{word}: {}", satisfaction(*s, lang)),
        K::Returned { reason: r, .. } => format!("{word}: {}", reason(*r, lang)),
        K::Escalated { level } => format!("{word} {level}"),
        K::NoteAdded { text } => format!("{word}: {text}"),
        _ => word.to_string(),
    }
}

/// The queue's class mark: a symbol and one character, so the class never rests on colour
/// (`▲警`, `○非`, `?疑`); blank when not triaged.
pub fn class_mark(c: Option<Class>, lang: Lang) -> &'static str {
    let (zh, en) = match c {
        Some(Class::Police) => ("▲警", "▲P"),
        Some(Class::NonPolice) => ("○非", "○N"),
        Some(Class::Uncertain) => ("?疑", "?U"),
        None => ("", ""),
    };
    pick(lang, zh, en)
}

/// The queue's priority mark: `急` for urgent, `缓` for non-urgent, blank for normal.
pub fn priority_mark(p: crate::domain::Priority, lang: Lang) -> &'static str {
    use crate::domain::Priority as P;
    let (zh, en) = match p {
        P::Urgent => ("急", "U"),
        P::Normal => ("", ""),
        P::NonUrgent => ("缓", "L"),
    };
    pick(lang, zh, en)
}

/// The queue's repeat-call (`重`) and escalation (`督2`) marks.
pub fn marks(repeat: bool, escalation: u8, lang: Lang) -> String {
    let mut out = String::new();
    if repeat {
        out.push_str(pick(lang, "重", "R"));
    }
    if escalation > 0 {
        out.push_str(&format!("{}{escalation}", pick(lang, "督", "E")));
    }
    out
}

/// A span of seconds: `mm:ss` under 100 minutes, `5h03` under a day, `7天0时` (`7d0h`) above.
pub fn span(secs: i64, lang: Lang) -> String {
    let s = secs.max(0);
    if s < 6000 {
        format!("{:02}:{:02}", s / 60, s % 60)
    } else if s < 86_400 {
        format!("{}h{:02}", s / 3600, (s % 3600) / 60)
    } else {
        let (d, h) = (s / 86_400, (s % 86_400) / 3600);
        match lang {
            Lang::Zh => format!("{d}天{h}时"),
            Lang::En => format!("{d}d{h}h"),
        }
    }
}

/// A piece of triage evidence in the screen language: the rule (codes stay as written), the
/// phrase in quotes when there is one, and what it did (`关键词 +2`, `提高紧急程度` …).
pub fn evidence(e: &crate::domain::taxonomy::Evidence, lang: Lang) -> String {
    let rule = match e.rule.as_str() {
        "override" => pick(lang, "人工改判", "override"),
        "vulnerable" => pick(lang, "弱势群体", "vulnerable"),
        "model" => pick(lang, "模型", "model"),
        other => other,
    };
    let effect = effect(&e.effect, lang);
    if e.phrase.is_empty() {
        format!("{rule} {effect}")
    } else {
        format!("{rule} \"{}\" {effect}", e.phrase)
    }
}

/// What a piece of evidence did, in the screen language.
pub fn effect(effect: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return effect.to_string();
    }
    let fixed = match effect {
        "priority up" => Some("提高紧急程度"),
        "negated" => Some("已否定"),
        "hedged" => Some("不确定"),
        "rules category out" => Some("排除该类别"),
        _ => None,
    };
    if let Some(f) = fixed {
        return f.to_string();
    }
    let prefixed = [
        ("police keyword ", "警务关键词 "),
        ("keyword ", "关键词 "),
        ("mode ", "派单模式 "),
        ("red flag: ", "升级情节: "),
    ];
    for (en, zh) in prefixed {
        if let Some(rest) = effect.strip_prefix(en) {
            return format!("{zh}{rest}");
        }
    }
    if let Some(rest) = effect.strip_prefix("model reads ") {
        return format!(
            "模型判读 {}",
            rest.replace(": category taken", "：采纳类别")
        );
    }
    if let Some(rest) = effect.strip_prefix("police reading ") {
        return format!(
            "警务判读 {}",
            rest.replace(": uncertain, police first", "：无法界定，公安先期处置")
        );
    }
    if let Some(who) = effect.strip_prefix("reclassified by ") {
        return format!("由 {who} 人工改判");
    }
    effect.to_string()
}

/// Screen words for a station event (指挥室事件).
pub fn station(kind: &crate::domain::station::StationKind, lang: Lang) -> String {
    use crate::domain::station::{Finding, Mode, StationKind as S};
    let with = |word: &str, note: &Option<String>| match note {
        Some(n) if !n.trim().is_empty() => format!("{word}: {n}"),
        _ => word.to_string(),
    };
    match kind {
        S::ModeSwitched { mode, note } => {
            let word = match (mode, lang) {
                (Mode::War, Lang::Zh) => "切换为战时",
                (Mode::Normal, Lang::Zh) => "恢复常态",
                (Mode::War, Lang::En) => "war mode on",
                (Mode::Normal, Lang::En) => "back to normal",
            };
            with(word, note)
        }
        S::ShiftNote { text } => format!("{} {text}", pick(lang, "交班留言", "shift note")),
        S::Sampled { reference, date } => {
            format!("{} {reference} ({date})", pick(lang, "抽检", "sampled"))
        }
        S::SampleReviewed {
            reference,
            finding,
            note,
        } => {
            let word = match finding {
                Finding::Ok => pick(lang, "无问题", "no problem"),
                Finding::Problem => pick(lang, "发现问题", "problem found"),
            };
            let head = format!("{} {reference} {word}", pick(lang, "抽检结论", "finding"));
            with(&head, note)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_over_a_day_reads_as_days_and_hours() {
        assert_eq!(span(7 * 86_400 + 59 * 60, Lang::Zh), "7天0时");
        assert_eq!(span(167 * 3600 + 59 * 60, Lang::Zh), "6天23时");
        assert_eq!(span(86_400, Lang::En), "1d0h");
        assert_eq!(span(5 * 3600 + 180, Lang::Zh), "5h03");
        assert_eq!(span(133, Lang::Zh), "02:13");
    }

    #[test]
    fn class_marks_carry_a_symbol() {
        for c in [Class::Police, Class::NonPolice, Class::Uncertain] {
            let m = class_mark(Some(c), Lang::Zh);
            assert!(m.starts_with(['▲', '○', '?']), "{m}");
        }
        assert_eq!(marks(true, 2, Lang::Zh), "重督2");
    }

    #[test]
    fn evidence_reads_in_chinese_and_codes_stay() {
        assert_eq!(effect("keyword +2", Lang::Zh), "关键词 +2");
        assert_eq!(effect("priority up", Lang::Zh), "提高紧急程度");
        assert_eq!(effect("reclassified by 王磊", Lang::Zh), "由 王磊 人工改判");
        assert_eq!(
            effect("model reads N6 0.97: category taken", Lang::Zh),
            "模型判读 N6 0.97：采纳类别"
        );
        assert_eq!(
            effect("police reading 1.00: uncertain, police first", Lang::Zh),
            "警务判读 1.00：无法界定，公安先期处置"
        );
        assert_eq!(effect("keyword +2", Lang::En), "keyword +2");
    }
}
