// Dev login, the profile with its nickname edit, and logout (CONTRACT A.5, U1, U2, A5).
import { ApiFailure, call, messageOf } from "./api.ts";
import { byId, el, notify } from "./dom.ts";

export interface Profile {
  display_name: string;
  nickname: string;
  phone_number: string | null;
  provider: string;
  last_login_at: string | null;
}

/** loadProfile returns the signed-in user, or null when nobody is signed in. */
export async function loadProfile(): Promise<Profile | null> {
  try {
    return await call<Profile>("GET", "/api/v1/users/me");
  } catch (err) {
    if (err instanceof ApiFailure && (err.status === 401 || err.status === 403)) return null;
    throw err;
  }
}

export function showProfile(profile: Profile): void {
  byId("who").textContent = `${profile.display_name}님`;
  const rows: [string, string][] = [
    ["닉네임", profile.nickname],
    ["로그인 방식", profile.provider],
    ["전화번호", profile.phone_number ?? "없음"],
    [
      "최근 로그인",
      profile.last_login_at ? new Date(profile.last_login_at).toLocaleString("ko-KR") : "-",
    ],
  ];
  byId("profile").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  byId<HTMLInputElement>("nickname").value = profile.nickname;
}

async function devLogin(nickname: string): Promise<void> {
  try {
    await call("POST", "/api/v1/auth/dev/login", { nickname });
  } catch (err) {
    // The route exists only with AUTH_DEV_LOGIN=true; say so rather than "not found".
    if (err instanceof ApiFailure && err.status === 404) {
      throw new ApiFailure(
        404,
        err.code,
        "이 서버는 개발용 로그인이 꺼져 있어요 (AUTH_DEV_LOGIN).",
      );
    }
    throw err;
  }
}

/** wireSession hooks up the login, nickname and logout forms; onChange re-renders the page. */
export function wireSession(onChange: () => Promise<void>): void {
  byId<HTMLFormElement>("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const nickname = byId<HTMLInputElement>("login-nickname").value.trim();
    if (!nickname) return notify("닉네임을 입력해 주세요.");
    await attempt(async () => {
      await devLogin(nickname);
      await onChange();
    });
  });
  byId<HTMLFormElement>("nickname-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const nickname = byId<HTMLInputElement>("nickname").value.trim();
    if (!nickname) return notify("닉네임을 입력해 주세요.");
    await attempt(async () => {
      showProfile(await call<Profile>("PATCH", "/api/v1/users/me", { nickname }));
      notify("닉네임을 바꿨어요.", true);
    });
  });
  byId("logout").addEventListener("click", () =>
    attempt(async () => {
      await call("POST", "/api/v1/auth/logout");
      await onChange();
      notify("로그아웃했어요.", true);
    }),
  );
}

/** attempt runs an action and shows its failure as a readable message. */
export async function attempt(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    notify(messageOf(err));
  }
}
