//! Group commit: the process's one writer takes every intake and push waiting when it is free
//! and writes them in one transaction, so the lock, the tip and the commit's flush to disk are
//! paid once for the group. If the group fails, each is written again on its own, so one bad
//! request never costs the others their answer.

use super::super::{HubStoreError, IntakeOutcome, NewIntake, Push};
use super::batch::{Batch, Memory};
use super::{bump, write};
use crate::protocol::PushOutcome;
use sqlx_postgres::PgPool;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};

/// Requests written in one transaction at most.
const MAX_GROUP: usize = 256;

type Reply<T> = oneshot::Sender<Result<T, HubStoreError>>;

/// One write waiting for the writer, with where its answer goes.
pub(super) enum Job {
    Intake(Box<NewIntake>, Reply<IntakeOutcome>),
    Push(Box<Push>, Reply<Vec<PushOutcome>>),
}

enum Answer {
    Intake(IntakeOutcome),
    Push(Vec<PushOutcome>),
}

impl Job {
    fn answer(self, answer: Result<Answer, HubStoreError>) {
        match (self, answer) {
            (Job::Intake(_, tx), Ok(Answer::Intake(a))) => drop(tx.send(Ok(a))),
            (Job::Push(_, tx), Ok(Answer::Push(a))) => drop(tx.send(Ok(a))),
            (Job::Intake(_, tx), Err(e)) => drop(tx.send(Err(e))),
            (Job::Push(_, tx), Err(e)) => drop(tx.send(Err(e))),
            (Job::Intake(_, tx), Ok(Answer::Push(_))) => drop(tx.send(Err(mismatch()))),
            (Job::Push(_, tx), Ok(Answer::Intake(_))) => drop(tx.send(Err(mismatch()))),
        }
    }
}

fn mismatch() -> HubStoreError {
    HubStoreError::Corrupt("the writer answered a request with another's answer".into())
}

/// How long an answer waits for the process to hold what it wrote.
const HOLD_WAIT: Duration = Duration::from_secs(5);

/// Answers `group` once `held` (the events this process holds) reaches `last`, so a request
/// that follows its answer in this process reads what it wrote.
fn settle(group: Vec<Job>, answers: Vec<Answer>, last: Option<i64>, held: &watch::Receiver<i64>) {
    let mut held = held.clone();
    tokio::spawn(async move {
        if let Some(last) = last {
            let _ = tokio::time::timeout(HOLD_WAIT, held.wait_for(|s| *s >= last)).await;
        }
        for (job, answer) in group.into_iter().zip(answers) {
            job.answer(Ok(answer));
        }
    });
}

/// Writes what `jobs` brings until every sender is gone, announcing commits on `seq`; answers
/// wait until `held` has them.
pub(super) async fn run(
    pool: PgPool,
    mut jobs: mpsc::UnboundedReceiver<Job>,
    seq: watch::Sender<i64>,
    held: watch::Receiver<i64>,
) {
    let mut memory = Memory::default();
    while let Some(first) = jobs.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        match write_group(&pool, &mut memory, &group).await {
            Ok((answers, last)) => {
                if let Some(last) = last {
                    bump(&seq, last);
                }
                settle(group, answers, last, &held);
            }
            Err(e) if group.len() == 1 => {
                if let Some(job) = group.pop() {
                    job.answer(Err(e));
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, size = group.len(), "a group write failed; writing each alone");
                for job in group {
                    let alone = write_group(&pool, &mut memory, std::slice::from_ref(&job)).await;
                    match alone {
                        Ok((answers, last)) if answers.len() == 1 => {
                            if let Some(last) = last {
                                bump(&seq, last);
                            }
                            settle(vec![job], answers, last, &held);
                        }
                        Ok(_) => job.answer(Err(mismatch())),
                        Err(e) => job.answer(Err(e)),
                    }
                }
            }
        }
    }
}

/// Writes `group` in one transaction: every answer, and the last sequence written.
async fn write_group(
    pool: &PgPool,
    memory: &mut Memory,
    group: &[Job],
) -> Result<(Vec<Answer>, Option<i64>), HubStoreError> {
    let mut batch = Batch::begin(pool, memory).await?;
    let mut answers = Vec::with_capacity(group.len());
    for job in group {
        answers.push(match job {
            Job::Intake(intake, _) => Answer::Intake(write::intake(&mut batch, intake).await?),
            Job::Push(push, _) => Answer::Push(write::push(&mut batch, push).await?),
        });
    }
    let last = batch.commit(memory).await?;
    Ok((answers, last))
}
