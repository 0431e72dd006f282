import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { truncateContent } from './attributes.ts';

describe('observability settings', () => {
  it('keep content out and log at info by default', () => {
    expect(loadConfig({ env: {} })).toMatchObject({ recordContent: false, logLevel: 'info' });
  });

  it('read RLM_RECORD_CONTENT and RLM_LOG_LEVEL; flags win', () => {
    expect(
      loadConfig({ env: { RLM_RECORD_CONTENT: 'true', RLM_LOG_LEVEL: 'debug' } }),
    ).toMatchObject({ recordContent: true, logLevel: 'debug' });
    expect(
      loadConfig({ env: { RLM_RECORD_CONTENT: '1' }, overrides: { recordContent: false } })
        .recordContent,
    ).toBe(false);
  });

  it('name the setting of a bad level', () => {
    expect(() => loadConfig({ env: { RLM_LOG_LEVEL: 'loud' } })).toThrow(
      /--log-level \/ RLM_LOG_LEVEL/,
    );
  });

  it('truncate recorded content and say how much was cut', () => {
    expect(truncateContent('abc', 5)).toBe('abc');
    expect(truncateContent('abcdefgh', 5)).toBe('abcde... [3 more chars]');
  });
});
