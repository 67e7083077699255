import { describe, expect, it } from 'vitest';
import { DonorSurvey, SURVEY_MAX_AGE_MS, surveyIsFresh } from '../../../../src/clone/clone-plugin/survey.js';
import type { DonorSearch } from '../../../../src/clone/find-donors.js';

const search = (donor: string): DonorSearch => ({
  plan: { action: 'clone', reason: 'test', donors: [] },
  donors: [{ name: donor, fqdn: `${donor}.mysql`, address: '198.18.0.10' }],
  peers: [],
  secretMismatch: undefined,
});

/** A survey whose findDonors answers mysql-<n> on its n-th call, on a clock the test moves. */
function surveyOnClock(): { survey: DonorSurvey; calls: () => number; advance: (ms: number) => void } {
  let now = 1_000_000;
  let calls = 0;
  const survey = new DonorSurvey(
    () => {
      calls += 1;
      return Promise.resolve(search(`mysql-${calls}`));
    },
    () => now,
  );
  return { survey, calls: () => calls, advance: (ms) => (now += ms) };
}

describe('surveyIsFresh', () => {
  it('keeps a survey up to the maximum age, and not one from the future', () => {
    expect(surveyIsFresh(1_000, 1_000)).toBe(true);
    expect(surveyIsFresh(1_000, 1_000 + SURVEY_MAX_AGE_MS)).toBe(true);
    expect(surveyIsFresh(1_000, 1_001 + SURVEY_MAX_AGE_MS)).toBe(false);
    expect(surveyIsFresh(1_000, 999)).toBe(false);
    expect(surveyIsFresh(1_000, 1_500, 400)).toBe(false);
  });
});

describe('DonorSurvey', () => {
  it('hands the attempt the survey made ahead while it is fresh, once', async () => {
    const { survey, calls } = surveyOnClock();
    survey.ahead();
    survey.ahead();
    expect(calls()).toBe(1);
    expect((await survey.take()).donors[0]?.name).toBe('mysql-1');
    expect((await survey.take()).donors[0]?.name).toBe('mysql-2');
  });

  it('surveys again when the one made ahead grew stale', async () => {
    const { survey, calls, advance } = surveyOnClock();
    survey.ahead();
    advance(SURVEY_MAX_AGE_MS + 1);
    survey.ahead();
    expect(calls()).toBe(2);
    advance(SURVEY_MAX_AGE_MS + 1);
    expect((await survey.take()).donors[0]?.name).toBe('mysql-3');
  });

  it('surveys on the spot when nothing was made ahead', async () => {
    const { survey } = surveyOnClock();
    expect((await survey.take()).donors[0]?.name).toBe('mysql-1');
  });

  it('passes a failed survey made ahead to the attempt that takes it, and leaves none unhandled', async () => {
    const survey = new DonorSurvey(() => Promise.reject(new Error('DNS does not answer')));
    survey.ahead();
    await expect(survey.take()).rejects.toThrow('DNS does not answer');
  });
});
