import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, unknown> } };
};

test('the README documents every setting', () => {
  const missing = Object.keys(manifest.contributes.configuration.properties).filter(
    (key) => !readme.includes(`| \`${key}\` |`),
  );
  assert.deepEqual(missing, []);
});

test('every image the README shows exists', () => {
  const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((match) => match[1] ?? '');
  assert.ok(images.length > 0);
  assert.deepEqual(
    images.filter((image) => !existsSync(join(root, image))),
    [],
  );
});
