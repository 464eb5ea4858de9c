import fc from 'fast-check';
import { checkpointText, openCheckpoint, parseCheckpointText, signCheckpoint } from './checkpoint';
import { generateSignerKey, NoteError, openNote, parseSignerKey, parseVerifierKey, signNote } from './signed-note';

// Published vectors: the example key and note of golang.org/x/mod/sumdb/note (its package
// documentation and note_test.go), the example of the C2SP signed-note specification, and a
// checkpoint of the Go checksum database (sum.golang.org) with that log's published verifier key.
const EM = '—';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_NOTE = `${PETER_TEXT}\n${EM} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const ENOCH_SIG = `${EM} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n`;
const C2SP_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const C2SP_NOTE = `This is an example message.\n\n${EM} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n`;
const SUMDB_VKEY = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';
const SUMDB_CHECKPOINT =
  'go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n' +
  `${EM} sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n`;

describe('C2SP signed-note: published vectors', () => {
  it('derives the published key hash and verifier key from the signer key, and signs byte for byte as the reference', () => {
    const signer = parseSignerKey(PETER_SKEY);
    expect(signer.keyHash.toString(16)).toBe('c74f20a3');
    expect(signer.verifier.text).toBe(PETER_VKEY);
    expect(signNote(PETER_TEXT, signer)).toBe(PETER_NOTE);
  });

  it('opens the Go example with either of its signers, ignoring signatures by unknown keys', () => {
    const both = PETER_NOTE + ENOCH_SIG;
    expect(openNote(both, [parseVerifierKey(PETER_VKEY)]).verifiedBy).toEqual(['PeterNeumann']);
    expect(openNote(both, [parseVerifierKey(ENOCH_VKEY)]).verifiedBy).toEqual(['EnochRoot']);
    expect(openNote(both, [parseVerifierKey(PETER_VKEY), parseVerifierKey(ENOCH_VKEY)]).text).toBe(PETER_TEXT);
  });

  it('opens the C2SP specification example', () => {
    expect(openNote(C2SP_NOTE, [parseVerifierKey(C2SP_VKEY)]).text).toBe('This is an example message.\n');
  });

  it('opens a checkpoint of the Go checksum database with its published key', () => {
    const checkpoint = openCheckpoint(SUMDB_CHECKPOINT, parseVerifierKey(SUMDB_VKEY), 'go.sum database tree');
    expect(checkpoint).toMatchObject({ origin: 'go.sum database tree', size: 6476701 });
    expect(checkpoint.root.toString('base64')).toBe('mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=');
  });

  it('rejects a changed text, a signature by another key with the same name, and a note with no trusted signature', () => {
    expect(() => openNote(PETER_NOTE.replace('problem,', 'problem;'), [parseVerifierKey(PETER_VKEY)])).toThrow('invalid signature');
    expect(() => openNote(PETER_NOTE, [parseVerifierKey(ENOCH_VKEY)])).toThrow('no signature by a trusted key');
    const impostor = parseSignerKey(generateSignerKey('PeterNeumann'));
    expect(() => openNote(signNote(PETER_TEXT, impostor), [parseVerifierKey(PETER_VKEY)])).toThrow('no signature by a trusted key');
  });

  it('rejects malformed keys', () => {
    expect(() => parseVerifierKey(PETER_VKEY.replace('c74f20a3', 'c74f20a4'))).toThrow(NoteError);
    expect(() => parseVerifierKey('PeterNeumann+c74f20a3')).toThrow(NoteError);
    expect(() => parseVerifierKey(PETER_VKEY.replace('+ARpc', '+Ahpc'))).toThrow(NoteError);
    expect(() => parseSignerKey(PETER_VKEY)).toThrow(NoteError);
  });
});

describe('C2SP tlog-checkpoint', () => {
  const signer = parseSignerKey(generateSignerKey('peil-ledger/test'));

  it('signs and opens checkpoints (property), and any changed byte of the body breaks the signature', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 40 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(), (size, root, at) => {
        const note = signCheckpoint({ origin: signer.name, size, root: Buffer.from(root) }, signer);
        const opened = openCheckpoint(note, signer.verifier);
        expect(opened.size).toBe(size);
        expect(opened.root.equals(Buffer.from(root))).toBe(true);
        const body = checkpointText({ origin: signer.name, size, root: Buffer.from(root) });
        const i = at % (body.length - 1);
        const forged = body.slice(0, i) + (body[i] === 'A' ? 'B' : 'A') + note.slice(i + 1);
        expect(() => openCheckpoint(forged, signer.verifier)).toThrow(NoteError);
      }),
      { seed: 6962, numRuns: 100 },
    );
  });

  it('refuses a checkpoint whose origin is not the key name, and malformed bodies', () => {
    const other = parseSignerKey(generateSignerKey('someone-else'));
    expect(() => openCheckpoint(signCheckpoint({ origin: 'peil-ledger/test', size: 1, root: Buffer.alloc(32) }, other), other.verifier)).toThrow('origin');
    expect(() => parseCheckpointText('o\n01\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n')).toThrow('size');
    expect(() => parseCheckpointText('o\n1\nAAAA\n')).toThrow('root');
    expect(() => parseCheckpointText('o\n1\n')).toThrow(NoteError);
    expect(parseCheckpointText('o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nextension line\n').size).toBe(1);
  });
});
