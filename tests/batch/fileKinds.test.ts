import { describe, expect, it } from 'vitest';
import { decodeFailureReason, extensionOf, kindFromName, notAnImageReason, sniffType } from '../../src/batch/fileKinds';

const bytes = (...b: number[]) => new Uint8Array(b);
const text = (s: string) => new TextEncoder().encode(s);

describe('file kinds', () => {
  it('classifies by name, case-insensitively, skipping hidden and OS files', () => {
    expect(kindFromName('a/happy/IMG_1.JPG')).toBe('image');
    expect(kindFromName('x.webp')).toBe('image');
    expect(kindFromName('clips/a.webm')).toBe('video');
    expect(kindFromName('clips/a.MP4')).toBe('video');
    expect(kindFromName('Test/label.csv')).toBe('labels');
    expect(kindFromName('notes.txt')).toBe('other');
    expect(kindFromName('README')).toBe('other');
    expect(kindFromName('a/.DS_Store')).toBe('system');
    expect(kindFromName('a/Thumbs.db')).toBe('system');
    expect(kindFromName('__MACOSX/a/._x.png')).toBe('system');
    expect(extensionOf('a.b/c')).toBe('');
    expect(extensionOf('dir/x.tar.GZ')).toBe('gz');
  });

  it('sniffs image, video and text signatures', () => {
    expect(sniffType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0))).toBe('png');
    expect(sniffType(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('jpeg');
    expect(sniffType(text('GIF89a......'))).toBe('gif');
    expect(sniffType(text('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(sniffType(text('BM\0\0\0\0\0\0\0\0\0\0\0\0\0\0'))).toBe('bmp');
    expect(sniffType(text('\0\0\0\x20ftypisom'))).toBe('mp4');
    expect(sniffType(text('\0\0\0\x1cftypavif'))).toBe('avif');
    expect(sniffType(bytes(0x1a, 0x45, 0xdf, 0xa3, 1))).toBe('webm');
    expect(sniffType(text('hello, this is text\n'))).toBe('text');
    expect(sniffType(bytes())).toBe('empty');
    expect(sniffType(bytes(0, 1, 2, 3, 200))).toBe('unknown');
  });

  it('gives a clear reason for a text file renamed .jpg, and none for a real image header', () => {
    expect(notAnImageReason(text('just some notes'), 'photo.jpg')).toBe('not an image: the file contains text (named .jpg)');
    expect(notAnImageReason(bytes(), 'x.png')).toMatch(/empty/);
    expect(notAnImageReason(bytes(0x1a, 0x45, 0xdf, 0xa3), 'x.png')).toMatch(/webm video/);
    expect(notAnImageReason(bytes(0xff, 0xd8, 0xff, 0xdb), 'x.png')).toBeUndefined();
  });

  it('names a corrupt image as such when the decoder fails', () => {
    const png = bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
    expect(decodeFailureReason(png, 'a.png', 'The source image could not be decoded.')).toMatch(/^corrupt or truncated PNG image/);
    expect(decodeFailureReason(text('abc'), 'a.png', 'x')).toMatch(/contains text/);
  });
});
