import { describe, expect, it } from 'vitest';
import { NameAllocator, quote, toPascalCase, toPropertyKey } from './naming.js';

describe('toPascalCase', () => {
  it.each([
    ['kv.get', 'KvGet'],
    ['echo.add', 'EchoAdd'],
    ['user-profile.get', 'UserProfileGet'],
    ['userProfile.get', 'UserProfileGet'],
    ['snake_case_name', 'SnakeCaseName'],
    ['v2beta.list', 'V2BetaList'],
    ['__schema0', 'Schema0'],
    ['1st', 'N1St'],
    ['', 'Unnamed'],
    ['...', 'Unnamed'],
  ])('turns %j into %j', (name, expected) => {
    expect(toPascalCase(name)).toBe(expected);
  });
});

describe('NameAllocator', () => {
  it('numbers a name from 2 when it is taken, and never hands out a reserved name', () => {
    const names = new NameAllocator();
    names.reserve('ClientMethods');
    expect([names.allocate('KvGetInput'), names.allocate('KvGetInput'), names.allocate('KvGetInput')]).toEqual([
      'KvGetInput',
      'KvGetInput2',
      'KvGetInput3',
    ]);
    expect(names.allocate('ClientMethods')).toBe('ClientMethods2');
  });

  it('skips a numbered name that is already taken by a real one', () => {
    const names = new NameAllocator();
    names.reserve('AInput', 'AInput2');
    expect(names.allocate('AInput')).toBe('AInput3');
  });
});

describe('property keys and strings', () => {
  it('leaves identifiers bare and quotes anything else so it cannot break out of the literal', () => {
    expect(toPropertyKey('get')).toBe('get');
    expect(toPropertyKey('user-profile')).toBe("'user-profile'");
    expect(toPropertyKey("it's\n")).toBe("'it\\'s\\n'");
    expect(quote('say "hi" \\ */')).toBe(`'say "hi" \\\\ */'`);
  });
});
