use super::*;
use std::sync::LazyLock;

static DETECTOR: LazyLock<Detector> = LazyLock::new(|| Detector::new([]));

fn score(text: &str) -> f32 {
    DETECTOR.assess(text).score()
}

fn raised(text: &str) -> bool {
    score(text) >= RAISED
}

fn family(text: &str, f: Family) -> bool {
    DETECTOR
        .assess(text)
        .counting()
        .any(|c| c.family == f && c.state == State::Current)
}

#[test]
fn violence_verb_object_survives_ba_bei_and_words_between() {
    assert!(family("他把我老公按在地上打", Family::Violence));
    assert!(family(
        "我儿子昨天在学校门口被几个人用棍子打了",
        Family::Violence
    ));
    assert!(family("那个男的打了她好几下", Family::Violence));
    assert!(family("对方推了我一下", Family::Violence));
    assert!(!family("保洁阿姨在打扫楼道", Family::Violence));
    assert!(!family("他打了个电话给物业", Family::Violence));
    assert!(!family("几个老人在楼下打牌", Family::Violence));
}

#[test]
fn violence_negation_has_a_scope() {
    assert!(!family("两人吵得很凶，但没有动手", Family::Violence));
    assert!(family("刚开始没有动手，后来他打了我", Family::Violence));
    assert!(!raised("夫妻俩吵架，没动手，想找人调解"));
}

#[test]
fn weapons_named_or_implied() {
    assert!(family("几个人拿着家伙在楼下等他", Family::Weapon));
    assert!(family("他拎着一把菜刀在走廊里骂", Family::Weapon));
    assert!(!family("饭店后厨师傅用菜刀切菜", Family::Weapon));
}

#[test]
fn threats_and_confinement() {
    assert!(family(
        "债主说不还钱就让我好看，还说知道我家在哪",
        Family::Threat
    ));
    assert!(family("老板把我们几个关在宿舍里不让走", Family::Threat));
    assert!(family("他把孩子锁在屋里", Family::Threat));
    assert!(!family("钥匙忘带了，被锁在门外进不去", Family::Threat));
    assert!(!family("物业把地下室的门锁了", Family::Threat));
}

#[test]
fn self_harm_is_not_lowered_by_fear_words() {
    assert!(family("她在群里说不想活了", Family::SelfHarm));
    assert!(family("担心他想不开，一直联系不上", Family::SelfHarm));
    assert!(!family("最近加班拼命工作", Family::SelfHarm));
}

#[test]
fn missing_trapped_and_unseen() {
    assert!(raised("对门独居的老太太好几天没露面了，门口报纸堆着"));
    assert!(raised("孩子放学一直没回家，电话也打不通"));
    let pet = DETECTOR.assess("我家泰迪走丢了");
    assert!(pet.score() >= RAISED && pet.unexplained(Some("N3")) < RAISED);
}

#[test]
fn fire_told_without_fire_words() {
    assert!(family(
        "隔壁屋里往外冒黑烟，有股塑料烧焦的味道",
        Family::Fire
    ));
    assert!(!raised("怕以后着火，请来查查电线"));
    assert!(!family("楼下烧烤店生意火爆", Family::Fire));
}

#[test]
fn gas_as_a_smell_or_a_sound() {
    assert!(family("楼道里一股臭鸡蛋味", Family::Explosion));
    assert!(family("厨房管子嘶嘶响，一股煤气味", Family::Explosion));
    assert!(!family("楼下饭店油烟味很重", Family::Explosion));
}

#[test]
fn crime_and_crowds() {
    assert!(family("车窗被砸了，包被拿走了", Family::Crime));
    assert!(family("有两个人正在撬隔壁的门", Family::Crime));
    assert!(raised("几十个工人堵在项目部大门口，说要冲进去"));
    assert!(!raised("广场上一群人跳舞"));
}

#[test]
fn traffic_with_injury() {
    assert!(family("一辆面包车把骑车的老人撞了", Family::Traffic));
    assert!(!family("车子撞到了墙上，人没事", Family::Traffic));
}

#[test]
fn past_lowers_and_calm_never_erases() {
    assert!(!raised("上次有人在这里打架，这次是楼上噪音"));
    let now = score("两个人打起来了，有人流血");
    let calmed = score("两个人打起来了，有人流血，现在人已经走了");
    assert!(calmed < now, "{calmed} < {now}");
    assert!(calmed >= RAISED, "calm erased a current danger: {calmed}");
}

#[test]
fn escalation_adds_up() {
    assert!(!raised("他喝醉了"));
    assert!(raised("老公喝了酒在家摔东西、踢门，情绪很激动"));
}

#[test]
fn same_sound_cues_of_three_characters_or_more() {
    assert!(family("他说活着没意思，不像活了", Family::SelfHarm));
    assert!(!family("我寻思跟你们说说", Family::SelfHarm));
    assert!(!family("这是自然现象", Family::Fire));
}

#[test]
fn a_one_character_verb_typed_by_sound_before_its_object() {
    assert!(family("老公又大我了", Family::Violence));
    assert!(!family("他比我大三岁", Family::Violence));
    assert!(!family("他大我三岁", Family::Violence));
}
