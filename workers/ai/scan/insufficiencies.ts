// Situation tags that mean something was done badly, and how 이코 says so. Any of them means no
// reward (CONTRACT §3.2): the item is not ready to be put out yet.
const PROBLEMS: Readonly<Record<string, string>> = {
  내용물_있음: "안에 내용물이 남아 있어요. 깨끗이 비워 주세요.",
  내용물_일부_남음: "내용물이 조금 남아 있어요. 마저 비워 주세요.",
  오염_중간: "오염이 남아 있어요. 물로 헹궈 주세요.",
  오염_심함: "오염이 심해요. 헹궈도 지워지지 않으면 종량제 봉투에 넣어 주세요.",
  음식물_오염: "음식물이 묻어 있어요. 헹군 뒤 말려서 내 주세요.",
  기름기_오염: "기름기가 남아 있어요. 세제로 씻어 주세요.",
  음식물_잔여물_많음: "음식물 찌꺼기가 많아요. 먼저 비우고 헹궈 주세요.",
  세척_필요: "한 번 헹궈서 내 주세요.",
  건조_필요: "물기를 말린 뒤 내 주세요.",
  비닐_라벨_부착: "비닐 라벨이 붙어 있어요. 떼어서 따로 내 주세요.",
  비닐_라벨_부분_제거됨: "라벨이 조금 남아 있어요. 마저 떼어 주세요.",
  비닐_라벨_제거_필요: "비닐 라벨을 떼어 주세요.",
  뚜껑_분리_필요: "뚜껑을 분리해서 따로 내 주세요.",
  부속품_분리_필요: "붙어 있는 부속품을 떼어 재질별로 나눠 주세요.",
  이물질_부착: "테이프나 스티커 같은 이물질을 떼어 주세요.",
};

/** insufficienciesOf lists what the user still has to do, one sentence per problem tag. */
export function insufficienciesOf(tags: readonly string[]): string[] {
  return [...new Set(tags)].flatMap((tag) => (PROBLEMS[tag] ? [PROBLEMS[tag]] : []));
}
