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

#[test]
fn injury_told_by_its_effect() {
    assert!(family("他被那人推到墙上，额头划破了口子", Family::Violence));
    assert!(family("儿子回来一身伤，鼻血止不住", Family::Violence));
    assert!(!family(
        "小区里的石凳没有划伤过谁，就是旧了",
        Family::Violence
    ));
}

#[test]
fn weapons_carried_or_shown_without_being_used() {
    assert!(family("那人腰里揣着一把刀在门口转", Family::Weapon));
    assert!(family("他在群里晒刀具，说要找人算账", Family::Weapon));
    assert!(!family(
        "楼下新开了一家刀具店，招牌挡住了窗户",
        Family::Weapon
    ));
}

#[test]
fn threats_in_plain_words_and_coercion() {
    assert!(family("他说再不还钱就拉我们一起死", Family::Threat));
    assert!(family("催债的在我家门上泼了红油漆", Family::Threat));
    assert!(family("他们把手机抢走，不让报警", Family::Threat));
    assert!(!family("店员说话很客气，就是退款慢", Family::Threat));
}

#[test]
fn confinement_in_everyday_words() {
    assert!(family("司机把车门锁了不让我们下车", Family::Threat));
    assert!(!family("下雨了，孩子没能出去玩", Family::Threat));
}

#[test]
fn a_person_not_seen_for_days_in_dialect_or_plain_words() {
    assert!(family(
        "楼上那个婆婆一个礼拜冒看到她下楼了",
        Family::Missing
    ));
    assert!(family(
        "对门大爷好几天没看到他了，敲门不应",
        Family::Missing
    ));
    assert!(!family("好几天没看到太阳了，衣服晒不干", Family::Missing));
}

#[test]
fn a_vulnerable_person_missing_is_no_department_matter() {
    let child = DETECTOR.assess("孩子找不到了");
    assert!(child.unexplained(Some("N8")) >= RAISED, "{child:?}");
    let wallet = DETECTOR.assess("钱包找不到了");
    assert!(wallet.unexplained(Some("N8")) < RAISED, "{wallet:?}");
}

#[test]
fn fire_by_its_sound_colour_or_heat() {
    assert!(family("隔壁仓库里噼啪响，窗户透出红光", Family::Fire));
    assert!(family("插座冒火花，一股焦臭", Family::Fire));
    assert!(!family("他气色好，红光满面的", Family::Fire));
    assert!(!family("墙上的插座没有冒烟，就是松了", Family::Fire));
}

#[test]
fn gas_smelt_or_heard_in_other_words() {
    assert!(family("一进门就闻到一股煤气", Family::Explosion));
    assert!(family("灶台那边咝咝的，阀门好像漏了", Family::Explosion));
    assert!(!family("没有闻到煤气，就是灶台打不着火", Family::Explosion));
}

#[test]
fn theft_told_as_false_claiming() {
    assert!(family("我的快递被人冒领了", Family::Crime));
    assert!(family("银行卡被盗刷了三千", Family::Crime));
    assert!(!family("快递员说包裹已经放在驿站了", Family::Crime));
}

#[test]
fn intimidation_is_not_clearly_low() {
    assert!(score("推销员赖着不走，老人吓得不敢出声") > 0.0);
    assert!(!raised("路灯不亮，晚上不太方便"));
}

#[test]
fn dialect_function_words_are_no_verbs_typed_by_sound() {
    assert!(!family("老公同我吵了一晚，没动手", Family::Violence));
    assert!(!family("隔壁勒我屋门口装了只摄像头", Family::Violence));
    assert!(family("老公又大我了", Family::Violence));
}

#[test]
fn a_smoke_alarm_told_as_a_maintenance_matter_is_accounted_for() {
    let d = DETECTOR.assess("楼道烟感低电量，请物业换电池");
    assert!(d.unexplained(Some("H5")) < RAISED, "{d:?}");
    assert!(d.unexplained(None) >= RAISED);
}

#[test]
fn a_person_who_cannot_be_found_is_missing_not_lost_property() {
    assert!(family("娃儿在超市找不到了", Family::Missing));
    assert!(family("我儿子放学后走丢了", Family::Missing));
    assert!(!family("儿子的手机找不到了", Family::Missing));
    assert!(!family("我找不到物业的办公室", Family::Missing));
}

#[test]
fn a_passive_whose_agent_is_the_weather_is_not_about_a_person() {
    assert!(!raised("小区里一棵树被风刮歪了，斜靠在围墙上"));
    assert!(family("他在路口被一辆车刮倒了", Family::Traffic));
}

#[test]
fn a_possessive_stands_for_a_person_only_in_a_frame_about_people() {
    let d = DETECTOR.assess("施工方把持续的噪音当成小事");
    assert!(!d.cues.iter().any(|c| c.family == Family::Weapon), "{d:?}");
}

#[test]
fn a_body_found_is_a_danger_but_an_animal_carcass_is_not() {
    assert!(family("公园湖边发现一具尸体", Family::Missing));
    assert!(family("桥墩那边水面上漂着一个人", Family::Missing));
    assert!(!family("绿化带里有只猫尸体，发臭了", Family::Missing));
    assert!(!family("路边一个动物尸体没人清理", Family::Missing));
}

#[test]
fn someone_perhaps_inside_what_fell_keeps_the_danger_up() {
    assert!(raised("广告牌掉下来压住了报刊亭，不知道底下有没有人"));
    assert!(!raised("广告牌松了，风一吹就晃"));
}

#[test]
fn devices_that_do_not_respond_and_stoves_that_do_not_light_are_not_dangers() {
    assert!(!raised("单元门刷卡没反应，进不去"));
    assert!(!raised("家里灶台打不着火，是不是没气了"));
    assert!(!raised("楼上从阳台上吊下来一根绳子晾衣服"));
    assert!(!raised("停车费贵得跟抢钱一样"));
    assert!(!raised("有辆车堵在单位门口，找不到车主"));
    assert!(raised("叫他半天没反应，躺在地上"));
}

#[test]
fn building_materials_and_a_deposit_are_not_weapons_or_confinement() {
    assert!(!family("工地上一车一车地卸钢管", Family::Weapon));
    assert!(!family("邻居用砖墙把院子围起来了", Family::Weapon));
    assert!(!family("房东要扣我押金", Family::Threat));
    assert!(family("那人抡着钢管冲过来", Family::Weapon));
    assert!(family("他们把我锁在屋里不让走", Family::Threat));
}

#[test]
fn poisoning_and_gambling_chips_point_to_crime() {
    assert!(family("有人在小区里放毒饵", Family::Crime));
    assert!(family("楼下那家店晚上拿现金换筹码", Family::Crime));
    assert!(!family("物业在楼道里放了灭鼠药，毒死老鼠", Family::Crime));
}

#[test]
fn every_frame_verb_holds_its_trigger_and_frames_behind_common_characters_are_found() {
    for verb in LEXICON.frames.iter().flat_map(|f| f.verbs.iter()) {
        let Some(c) = trigger_char(verb) else {
            panic!("empty verb")
        };
        assert!(verb.contains(c), "{verb}");
        assert!(DETECTOR.triggers.contains(c), "{verb}");
    }
    assert_eq!(trigger_char("不见"), Some('见'));
    assert_eq!(trigger_char("打"), Some('打'));
    assert!(family("我家孩子在商场里不见了", Family::Missing));
    assert!(family("放学后女儿走丢了", Family::Missing));
}

#[test]
fn a_person_named_in_the_clause_before_is_the_topic_of_a_missing_verb() {
    assert!(family(
        "我女儿刚才还在小区滑梯那边玩，一转身就不见了",
        Family::Missing
    ));
    assert!(!family("带着儿子去超市买菜，钱包不见了", Family::Missing));
    assert!(!family("孩子去上学了，作业本找不到了", Family::Missing));
    assert!(!family("老人在家。钥匙找不到了", Family::Missing));
}
