import { defineConfig } from 'vitest/config';

/** Key proxy suites run a second time with the node HTTP engine (see TEST_HTTP_ENGINE in the data-plane harness). */
const BOTH_ENGINES = [
  'test/integration/proxy.test.ts',
  'test/integration/proxy-jwt.test.ts',
  'test/integration/proxy-streaming.test.ts',
  'test/integration/proxy-response-head.test.ts',
  'test/integration/proxy-upload-integrity.test.ts',
  'test/integration/proxy-large-responses.test.ts',
  'test/integration/robustness-upstream.test.ts',
  'test/integration/robustness-paths.test.ts',
  'test/integration/robustness-framing.test.ts',
  'test/integration/refused-uploads.test.ts',
  'test/integration/gateway-answer-bytes.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    env: { UWS_HTTP_MAX_HEADERS_SIZE: '16384' },
    projects: [
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'node-engine',
          include: BOTH_ENGINES,
          env: { UWS_HTTP_MAX_HEADERS_SIZE: '16384', PORTCULLIS_TEST_HTTP_ENGINE: 'node' },
        },
      },
    ],
  },
});
