use super::*;

fn detector() -> Detector {
    match Detector::new([]) {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    }
}

fn score(text: &str) -> f32 {
    detector().assess(text).score()
}

#[test]
fn placeholder_scores() {
    assert!(score("他把我老婆关在屋里不让出来") >= RAISED);
    assert!(score("楼上装修打扰休息") < RAISED);
}
