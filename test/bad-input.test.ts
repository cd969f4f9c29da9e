import * as cdk8s from 'cdk8s';
import { worstInputTrial } from './bad-input-trial';
import * as api from '../src';

// The worst-input trial (test/bad-input-trial.ts) against the sources; test/consumer.test.ts runs the same trial
// against the packed, installed package.
test('a wrong value in any prop gives input errors, never a crash', () => {
  const { crashes, rejected } = worstInputTrial(api, cdk8s);
  expect(crashes).toEqual([]);
  expect(rejected).toBeGreaterThan(300);
});
