// The profile rules of CONTRACT §2.2 (Users): how names are shown and phone numbers normalised.

export interface NameFields {
  readonly nickname: string | null;
  readonly name: string | null;
}

const DEFAULT_DISPLAY_NAME = "사용자";

const present = (value: string | null | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

/** displayName: the trimmed nickname, else the name, else "사용자". */
export function displayName(account: NameFields): string {
  return present(account.nickname) ?? present(account.name) ?? DEFAULT_DISPLAY_NAME;
}

/** nicknameOf: the nickname, else the name, else the display name. */
export function nicknameOf(account: NameFields): string {
  return present(account.nickname) ?? present(account.name) ?? displayName(account);
}

/**
 * normalizePhoneNumber keeps the digits, turns a leading country code 82 into 0, and formats
 * Korean mobile numbers: 11 digits from 010 as 010-XXXX-XXXX, 10 digits from 01 as 01X-XXX-XXXX.
 * Anything else is not a phone number we accept (undefined).
 */
export function normalizePhoneNumber(input: string): string | undefined {
  let digits = input.replace(/\D/g, "");
  if (digits.startsWith("82")) digits = `0${digits.slice(2)}`;
  if (digits.length === 11 && digits.startsWith("010")) {
    return `${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`;
  }
  if (digits.length === 10 && digits.startsWith("01")) {
    return `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`;
  }
  return undefined;
}
