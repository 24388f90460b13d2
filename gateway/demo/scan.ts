// A scan as the real client runs it: I1 upload URL, the signed PUT, S1, the stages over SSE, then
// S2's result (CONTRACT §2.2 Scan, §2.3). test/scan/scan-client.ts is the same flow for tests.
import { ApiFailure, call, readableError } from "./api.ts";
import { byId, el, notify } from "./dom.ts";
import { attempt } from "./session.ts";

const STAGES = [
  ["queued", "접수"],
  ["vision", "사진 분석"],
  ["rule", "배출 규칙 찾기"],
  ["answer", "답변 만들기"],
  ["reward", "보상 확인"],
] as const;

interface Upload {
  upload_url: string;
  required_headers: Record<string, string>;
  cdn_url: string;
}
interface Submitted {
  job_id: string;
  stream_url: string;
  result_url: string;
}
interface StageEvent {
  stage: string;
  status: string;
  progress: number | "";
  result: { error?: string } | "";
}
export interface ScanResult {
  status: string;
  pipeline_result?: {
    classification_result: {
      classification: { major_category: string; middle_category: string; minor_category: string };
    };
    final_answer: {
      disposal_steps: Record<string, string>;
      insufficiencies: string[];
      user_answer: string;
    };
  };
  reward: { name: string; dialog: string; match_reason: string; type: string } | null;
}

let chosen: File | undefined;

export function wireScan(): void {
  const drop = byId("drop");
  const input = byId<HTMLInputElement>("scan-file");
  input.addEventListener("change", () => choose(input.files?.[0]));
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    choose(event.dataTransfer?.files[0]);
  });
  byId("scan-start").addEventListener("click", () => attempt(runScan));
}

function choose(file: File | undefined): void {
  if (!file) return;
  if (!file.type.startsWith("image/")) {
    notify("이미지 파일만 올릴 수 있어요.");
    return;
  }
  chosen = file;
  const preview = byId<HTMLImageElement>("scan-preview");
  preview.src = URL.createObjectURL(file);
  preview.hidden = false;
  byId<HTMLButtonElement>("scan-start").disabled = false;
}

async function runScan(): Promise<void> {
  if (!chosen) return notify("사진을 먼저 골라 주세요.");
  const button = byId<HTMLButtonElement>("scan-start");
  button.disabled = true;
  byId("scan-result").replaceChildren();
  resetStages();
  try {
    const imageUrl = await upload(chosen);
    const job = await call<Submitted>("POST", "/api/v1/scan", { image_url: imageUrl });
    markStage("queued", "active", 0);
    const result = await follow(job);
    showResult(result);
  } finally {
    button.disabled = false;
  }
}

/** upload asks I1 for a signed URL and PUTs the photo there; the answer is S1's image_url. */
async function upload(file: File): Promise<string> {
  const issued = await call<Upload>("POST", "/api/v1/images/scan", {
    filename: file.name || "photo.jpg",
    content_type: file.type,
  });
  const put = await fetch(uploadTarget(issued.upload_url), {
    method: "PUT",
    headers: issued.required_headers,
    body: file,
  });
  if (!put.ok) throw readableError(put.status, await put.text());
  return issued.cdn_url;
}

/**
 * The local store signs URLs with the gateway's configured public base, which may name another
 * host than the one this page was opened at (127.0.0.1 vs localhost); its /media/ path is the same
 * gateway, so the PUT goes to this origin. An S3 URL is used as issued.
 */
function uploadTarget(issued: string): string {
  const url = new URL(issued, location.href);
  return url.pathname.startsWith("/media/") ? url.pathname + url.search : url.href;
}

/** follow watches the job's stages over SSE; a dropped stream falls back to polling S2. */
function follow(job: Submitted): Promise<ScanResult> {
  return new Promise((resolve, reject) => {
    const source = new EventSource(job.stream_url, { withCredentials: true });
    const finish = (outcome: Promise<ScanResult>) => {
      source.close();
      outcome.then(resolve, reject);
    };
    for (const [stage] of STAGES) {
      source.addEventListener(stage, (event) => onStage(JSON.parse((event as MessageEvent).data)));
    }
    source.addEventListener("done", (event) => {
      const data = JSON.parse((event as MessageEvent).data) as StageEvent;
      if (data.status === "completed") finish(pollResult(job.result_url));
    });
    source.addEventListener("error", (event) => {
      // A server `error` event carries data (a failed stage); a bare one is a lost connection.
      const data = (event as MessageEvent).data;
      if (typeof data === "string") finish(Promise.reject(stageFailure(JSON.parse(data))));
      else finish(pollResult(job.result_url));
    });
  });
}

function stageFailure(data: StageEvent): ApiFailure {
  if (data.stage) markStage(data.stage, "failed");
  const reason = typeof data.result === "object" ? data.result.error : undefined;
  return new ApiFailure(0, "SCAN_FAILED", `분석에 실패했어요${reason ? `: ${reason}` : "."}`);
}

/** pollResult reads S2 until it is ready: 202 means still processing (every 2 s, ≤ 60 tries). */
async function pollResult(url: string): Promise<ScanResult> {
  for (let attemptNo = 0; attemptNo < 60; attemptNo++) {
    const result = await call<ScanResult>("GET", url);
    if (result.status === "completed" && result.pipeline_result) return result;
    await new Promise((wake) => setTimeout(wake, 2000));
  }
  throw new ApiFailure(0, "SCAN_TIMEOUT", "결과가 너무 늦어요. 잠시 후 다시 시도해 주세요.");
}

function onStage(event: StageEvent): void {
  const progress = typeof event.progress === "number" ? event.progress : undefined;
  markStage(event.stage, event.status === "completed" ? "done" : "active", progress);
}

function resetStages(): void {
  byId("scan-progress").hidden = false;
  byId<HTMLProgressElement>("scan-bar").value = 0;
  byId("scan-stages").replaceChildren(
    ...STAGES.map(([stage, label]) => el("li", { "data-stage": stage }, label)),
  );
}

function markStage(stage: string, state: "active" | "done" | "failed", progress?: number): void {
  const item = byId("scan-stages").querySelector(`[data-stage="${stage}"]`);
  item?.classList.remove("active", "done");
  item?.classList.add(state);
  if (progress !== undefined) byId<HTMLProgressElement>("scan-bar").value = progress;
}

export function showResult(result: ScanResult): void {
  for (const [stage] of STAGES) markStage(stage, "done");
  byId<HTMLProgressElement>("scan-bar").value = 100;
  const pipeline = result.pipeline_result!;
  const { major_category, middle_category, minor_category } =
    pipeline.classification_result.classification;
  const answer = pipeline.final_answer;
  byId("scan-result").replaceChildren(
    el(
      "div",
      { class: "result" },
      el("h3", {}, "분류"),
      el("span", { class: "badge" }, major_category),
      el("span", { class: "badge" }, middle_category),
      minor_category && el("span", { class: "badge" }, minor_category),
      el("h3", {}, "배출 방법"),
      stepList(answer.disposal_steps),
      el("h3", {}, "이코의 답변"),
      el("p", {}, answer.user_answer),
      answer.insufficiencies.length > 0 &&
        el("p", { class: "muted" }, `참고: ${answer.insufficiencies.join(" / ")}`),
      rewardCard(result.reward),
    ),
  );
}

/** The steps in their keys' order (단계1, 단계2, …); an unknown item may come with none. */
function stepList(steps: Record<string, string>): HTMLElement {
  const items = Object.values(steps);
  if (items.length === 0) return el("p", { class: "muted" }, "이 품목의 배출 단계 정보가 없어요.");
  return el("ol", {}, ...items.map((step) => el("li", {}, step)));
}

function rewardCard(reward: ScanResult["reward"]): HTMLElement {
  if (!reward) return el("p", { class: "reward" }, "이번 스캔에는 보상이 없어요.");
  return el(
    "div",
    { class: "reward" },
    el("strong", {}, `🎉 ${reward.name} 캐릭터를 만났어요!`),
    el("p", {}, reward.dialog),
    el("p", { class: "muted" }, reward.match_reason),
  );
}
