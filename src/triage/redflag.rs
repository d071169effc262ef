//! Red flags (升级情节): words that keep an item with the police whatever else matches.
//!
//! Six families, as the taxonomy names them, plus words for vulnerable people, which raise priority
//! but never change the class. Negation ("双方没有动手") and near misses ("打扰", "着急", "火锅") are
//! handled by the shared matcher.

use serde::{Deserialize, Serialize};

use super::matcher::{Matcher, MatcherBuilder};

/// A red-flag family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// 暴力: hitting, weapons, blood.
    Violence,
    /// 极端行为: suicide threats, revenge, arson, explosions threatened.
    Extreme,
    /// 危及生命: drowning, falls, unconscious, fire, trapped.
    Danger,
    /// 违法犯罪: theft, fraud, burglary, drugs, gambling, detention.
    Crime,
    /// 聚集: crowds, blocking gates and roads, banners, storming in.
    Crowd,
    /// 冲突升级: drink, agitation, about to fight, repeated calls.
    Escalation,
}

/// Every family, in the order the taxonomy lists them.
pub const FAMILIES: [Family; 6] = [
    Family::Violence,
    Family::Extreme,
    Family::Danger,
    Family::Crime,
    Family::Crowd,
    Family::Escalation,
];

impl Family {
    /// Rule id used in evidence, e.g. `redflag:violence`.
    pub fn rule(self) -> &'static str {
        match self {
            Family::Violence => "redflag:violence",
            Family::Extreme => "redflag:extreme",
            Family::Danger => "redflag:danger",
            Family::Crime => "redflag:crime",
            Family::Crowd => "redflag:crowd",
            Family::Escalation => "redflag:escalation",
        }
    }

    /// Chinese name shown to the duty officer.
    pub fn name_zh(self) -> &'static str {
        match self {
            Family::Violence => "暴力",
            Family::Extreme => "极端行为",
            Family::Danger => "危及生命",
            Family::Crime => "违法犯罪",
            Family::Crowd => "人员聚集",
            Family::Escalation => "冲突升级",
        }
    }

    /// The police category a flag of this family points to when nothing else fits; escalation
    /// alone points to none (the item is `uncertain`).
    pub fn police_code(self) -> Option<&'static str> {
        match self {
            Family::Violence => Some("P2"),
            Family::Extreme => Some("P9"),
            Family::Danger => Some("P6"),
            Family::Crime => Some("P1"),
            Family::Crowd => Some("P4"),
            Family::Escalation => None,
        }
    }

    /// The phrases of this family. `甲*乙` allows a short gap.
    pub fn phrases(self) -> &'static [&'static str] {
        match self {
            Family::Violence => VIOLENCE,
            Family::Extreme => EXTREME,
            Family::Danger => DANGER,
            Family::Crime => CRIME,
            Family::Crowd => CROWD,
            Family::Escalation => ESCALATION,
        }
    }
}

const VIOLENCE: &[&str] = &[
    "打人",
    "打起来",
    "打了起来",
    "打成一团",
    "动手",
    "动起手",
    "被打",
    "挨打",
    "打伤",
    "殴打",
    "群殴",
    "围殴",
    "斗殴",
    "互殴",
    "打架",
    "扭打",
    "厮打",
    "撕打",
    "暴打",
    "揍人",
    "被揍",
    "揍了",
    "打了我",
    "打我",
    "打他",
    "打她",
    "流血",
    "出血",
    "见血",
    "头破血流",
    "满脸是血",
    "一身血",
    "持刀",
    "拿刀",
    "拿着刀",
    "掏出刀",
    "亮出刀",
    "菜刀",
    "水果刀",
    "砍刀",
    "长刀",
    "匕首",
    "拿棍子",
    "木棍",
    "铁棍",
    "棍棒",
    "钢管",
    "锄头",
    "铁锹",
    "砍人",
    "捅人",
    "捅伤",
    "刺伤",
    "砍伤",
    "砸人",
    "砸伤",
    "酒瓶*砸",
    "推搡",
    "推了*一把",
    "推倒",
    "拉扯",
    "掐脖子",
    "掐住",
    "扇耳光",
    "扇了*巴掌",
    "踹",
    "拳打脚踢",
    "抓伤",
    "抓破",
    "被咬",
    "咬了",
    "流了*血",
    "出了*血",
    "一脸血",
    "都是血",
    "咬伤",
    "咬破",
    "咬到",
    "伤人",
    "受伤",
];

const EXTREME: &[&str] = &[
    "跳楼",
    "跳下去",
    "跳下来",
    "往下跳",
    "跳河",
    "跳江",
    "跳桥",
    "卧轨",
    "不想活",
    "活着太累",
    "活着没意思",
    "活不下去",
    "自杀",
    "轻生",
    "寻死",
    "割腕",
    "上吊",
    "喝农药",
    "农药",
    "安眠药",
    "烧炭",
    "同归于尽",
    "拼命",
    "拼了",
    "报复",
    "放火",
    "点火",
    "一把火",
    "烧死",
    "汽油",
    "炸了",
    "炸掉",
    "炸药",
    "炸弹",
    "遗书",
    "杀了",
    "弄死",
    "砍死",
    "捅死",
    "杀人",
    "要你命",
];

const DANGER: &[&str] = &[
    "落水",
    "溺水",
    "掉进河",
    "掉进水",
    "掉到河",
    "掉河里",
    "掉水里",
    "在水里扑腾",
    "掉下来了",
    "坠楼",
    "摔下来",
    "从楼上掉",
    "昏迷",
    "晕倒",
    "晕过去",
    "昏过去",
    "没呼吸",
    "没有呼吸",
    "没气了",
    "不省人事",
    "叫不醒",
    "没反应",
    "没有反应",
    "嘴唇发紫",
    "口吐白沫",
    "抽搐",
    "喘不上气",
    "喘不过气",
    "胸口闷",
    "胸闷",
    "出不来",
    "被困出不来",
    "着火",
    "起火",
    "失火",
    "火灾",
    "火苗",
    "烧起来",
    "爆炸",
    "浓烟滚滚",
    "冒烟",
    "火光",
    "大火",
    "大出血",
    "重伤",
    "快不行了",
    "救命",
    "呼救",
    "压在下面",
    "被压住",
    "触电",
    "煤气中毒",
    "一氧化碳",
    "几天没露面",
    "几天没见",
    "几天没出门",
    "没露面",
];

const CRIME: &[&str] = &[
    "被偷",
    "偷了",
    "偷走",
    "小偷",
    "扒手",
    "被扒",
    "被掏",
    "被盗",
    "失窃",
    "被抢",
    "抢劫",
    "抢走",
    "被骗",
    "诈骗",
    "骗子",
    "骗走",
    "安全账户",
    "洗钱",
    "冒充",
    "被撬",
    "撬门",
    "撬锁",
    "撬开",
    "入室",
    "被关起来",
    "关起来",
    "绑架",
    "拐卖",
    "拐走",
    "吸毒",
    "溜冰",
    "冰毒",
    "毒品",
    "贩毒",
    "赌博",
    "赌钱",
    "聚赌",
    "赌场",
    "卖淫",
    "嫖娼",
    "猥亵",
    "性侵",
    "强奸",
    "敲诈",
    "勒索",
    "恐吓",
    "泼*油漆",
    "砸车",
    "砸店",
    "砸玻璃",
    "剪断",
    "投毒",
    "劫持",
];

const CROWD: &[&str] = &[
    "十几个人",
    "十几个",
    "二十多个",
    "三十多个",
    "大门堵",
    "门口堵",
    "把*门堵",
    "十几名",
    "十几号人",
    "十几个工友",
    "二十多人",
    "二十多个人",
    "二十多名",
    "几十个人",
    "几十个",
    "几十名",
    "几十人",
    "几十号人",
    "上百人",
    "上百名",
    "一百多人",
    "几百人",
    "三四十人",
    "四五十人",
    "五六十人",
    "五六个人",
    "七八个人",
    "好几个人",
    "几个人",
    "一群人",
    "一帮人",
    "一大帮",
    "一伙人",
    "一大群人",
    "围了*人",
    "围着",
    "围住",
    "围堵",
    "堵门",
    "堵着门",
    "堵在*门口",
    "堵住*门",
    "堵*大门",
    "挡住大门",
    "堵路",
    "堵马路",
    "拦路",
    "拉横幅",
    "拉着横幅",
    "打横幅",
    "举牌",
    "喊口号",
    "聚集",
    "聚众",
    "闹事",
    "冲进去",
    "往里冲",
    "往*里冲",
    "冲击",
    "静坐",
    "围攻",
    "起哄",
    "对峙",
];

const ESCALATION: &[&str] = &[
    "喝了酒",
    "喝了*酒",
    "喝醉",
    "喝多了",
    "醉酒",
    "酒后",
    "耍酒疯",
    "发酒疯",
    "情绪激动",
    "情绪很激动",
    "情绪失控",
    "情绪*激动",
    "情绪*失控",
    "要动手",
    "冲突升级",
    "越吵越凶",
    "吵得很凶",
    "报过好几次",
    "已经报过",
    "报了好几次",
    "多次报警",
    "扬言",
    "威胁",
    "摔东西",
    "砸东西",
    "踢门",
    "砸门",
    "挑衅",
    "要打起来",
];

/// Words for people who need more care: a match raises priority one step.
pub const VULNERABLE: &[&str] = &[
    "孩子",
    "小孩",
    "儿童",
    "婴儿",
    "宝宝",
    "幼儿",
    "孕妇",
    "老人",
    "老太",
    "老大爷",
    "老奶奶",
    "老爷爷",
    "老年",
    "八十多",
    "七十多",
    "九十多",
    "残疾",
    "瘫痪",
    "卧床",
    "轮椅",
    "腿脚不便",
    "行动不便",
    "智障",
    "小学生",
    "中学生",
    "孙子",
    "孙女",
];

/// One red flag found in a description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedFlag {
    pub family: Family,
    /// The phrase as written in the family's list.
    pub phrase: String,
    /// Character offset in the description.
    pub at: usize,
    /// Cancelled by negation or a hedge: reported, but it does not count.
    pub negated: bool,
}

/// Finds red flags on their own, without the responsibility list.
pub struct RedFlagScanner {
    matcher: Matcher<Family>,
}

impl RedFlagScanner {
    /// Builds the scanner over the built-in families.
    pub fn new() -> Result<Self, aho_corasick::BuildError> {
        let mut builder = MatcherBuilder::new();
        for family in FAMILIES {
            for phrase in family.phrases() {
                builder.add(phrase, family);
            }
        }
        Ok(RedFlagScanner {
            matcher: builder.build()?,
        })
    }

    /// Every red flag in `text`, negated ones included (marked), in text order.
    pub fn scan(&self, text: &str) -> Vec<RedFlag> {
        self.matcher
            .find(text)
            .into_iter()
            .map(|hit| RedFlag {
                family: *hit.tag,
                phrase: hit.phrase.to_string(),
                at: hit.start,
                negated: !hit.affirmed(),
            })
            .collect()
    }

    /// The families that count (not negated) in `text`.
    pub fn families(&self, text: &str) -> Vec<Family> {
        let mut out: Vec<Family> = Vec::new();
        for flag in self.scan(text) {
            if !flag.negated && !out.contains(&flag.family) {
                out.push(flag.family);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanner() -> RedFlagScanner {
        match RedFlagScanner::new() {
            Ok(s) => s,
            Err(e) => panic!("scanner: {e}"),
        }
    }

    fn fires(text: &str, family: Family) -> bool {
        scanner().families(text).contains(&family)
    }

    #[test]
    fn violence_with_negation_and_near_miss() {
        assert!(fires("两个人在楼道里打起来了", Family::Violence));
        assert!(fires("对方拿着刀在门口转", Family::Violence));
        assert!(!fires("双方吵得很厉害，但没有动手", Family::Violence));
        assert!(!fires(
            "楼上装修打扰休息，已经打电话给物业",
            Family::Violence
        ));
        assert!(!fires("保洁在打扫楼道", Family::Violence));
        assert!(!fires("父亲刚动手术出院", Family::Violence));
    }

    #[test]
    fn extreme_acts() {
        assert!(fires("他站在窗台上说不想活了", Family::Extreme));
        assert!(fires("扬言要跟包工头同归于尽", Family::Extreme));
        assert!(!fires("最近天天加班拼命工作", Family::Extreme));
        assert!(!fires("楼下炸串摊油烟大", Family::Extreme));
    }

    #[test]
    fn danger_to_life() {
        assert!(fires("河边有人落水了", Family::Danger));
        assert!(fires("三楼窗户往外冒烟", Family::Danger));
        assert!(!fires("配电箱冒火花，目前没有着火", Family::Danger));
        assert!(!fires("他很着急，说家里停电了", Family::Danger));
        assert!(!fires("楼下火锅店排烟管对着窗户", Family::Danger));
        assert!(!fires("车翻了但是没有人受伤", Family::Danger));
    }

    #[test]
    fn crime_with_negation() {
        assert!(fires("电动车昨晚被偷了", Family::Crime));
        assert!(!fires("钱包找不到了，不是被偷的", Family::Crime));
        assert!(!fires("没有被偷的迹象，可能是自己掉了", Family::Crime));
        assert!(!fires("工厂夜里偷排废气", Family::Crime));
        assert!(!fires("觉得自己被骗了，想退卡", Family::Crime));
    }

    #[test]
    fn crowds() {
        assert!(fires("十几个工人堵着大门不让车出去", Family::Crowd));
        assert!(fires("一群人拉着横幅在门口", Family::Crowd));
        assert!(!fires("一套房子里住了十几个人", Family::Crowd));
    }

    #[test]
    fn escalation_about_to_fight_is_a_flag() {
        assert!(fires("两边情绪都很激动", Family::Escalation));
        assert!(fires("眼看快要动手了", Family::Escalation));
        assert!(fires("快要动手了", Family::Violence));
        assert!(!fires("两边都很冷静，也没有要动手", Family::Escalation));
    }

    #[test]
    fn offsets_are_characters() {
        let flags = scanner().scan("邻居吵架后动手了");
        let first = flags.iter().find(|f| f.family == Family::Violence);
        assert_eq!(first.map(|f| f.at), Some(5));
    }
}
