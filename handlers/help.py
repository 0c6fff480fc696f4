"""Help, greetings, thanks and goodbyes typed as words: '도움말', '뭐 물어볼 수 있어?', '안녕하세요', '고마워요', 'bye'.

A message that is only such words asks no question of the guidelines: it got the FAQ's refusal ("the guidelines
do not cover that"), and a miss was recorded for the admin. Help is /help; a greeting or 'who are you' is the
/start introduction; thanks and goodbyes get a short reply. Greetings, thanks and goodbyes answer no question (matched is false, as a
fallback's), help does (as /help).
"""
from __future__ import annotations

import re

from bot.reply import Reply
from bot.router import capabilities, handles

FILLER = r"(?:[\s.,!?~^;)]|ㅎ|ㅋ|ㅠ|ㅜ|\^\^)*"  # what trails a casual message: 'ㅎㅎ', '!!', '~', '^^'
HELP = (r"도움말|도움|도와\s*(?:줘|주세요)|사용\s*(?:법|방법)|명령어|메뉴|"
        r"(?:뭐|뭘|무엇을|어떤\s*걸?)\s*(?:물어\s*볼|물어\s*봐도\s*되는|질문할|할)\s*수\s*있(?:어|나요|어요|니|습니까)|"
        r"help|commands?|menu|what can (?:you|i ask)(?: do| you)?|how do i use (?:this|you|it)")
GREETING = (r"안녕(?:하세요|하십니까)?|ㅎㅇ|하이|하이요|반가워요?|반갑습니다|처음\s*뵙겠습니다|"
            r"(?:넌|너는|당신은|여긴|이건)\s*(?:누구|뭐|뭔)(?:야|예요|에요|니|세요|임)?|"
            r"hi|hello|hey|good (?:morning|afternoon|evening)|who are you|what are you")
THANKS = (r"고마워(?:요|용)?|고맙습니다|감사(?:해요|해용|합니다|드립니다)?|ㄱㅅ|ㄳ|땡큐|수고(?:했어|하셨어요|하세요|하셨습니다)|"
          r"thanks?(?: you)?|thx|ty|cheers|much appreciated|appreciate it")
GOODBYE = r"bye(?:\s*bye)?|good\s*bye|see you|잘\s*(?:가|있어)|안녕히\s*(?:계세요|가세요)|바이|빠이|ㅂㅂ|ㅂㅇ"
# Words that add warmth or whom it is to and nothing else: '정말 고마워요', 'thank you so much', 'hello there'
WARMTH = r"정말|너무|진짜|넘|대단히|많이|so much|a lot|very much|many|again|there|everyone|all|bot|guys"


def _only(words: str) -> re.Pattern:
    """A message made of these words alone, one or more, with casual fillers and words of warmth around them."""
    word = rf"(?:(?:{WARMTH})\s*)*(?:{words})(?:\s*(?:{WARMTH})\b)*"
    return re.compile(rf"{FILLER}(?:{word}{FILLER})+", re.IGNORECASE)


ONLY_HELP, ONLY_THANKS, ONLY_GOODBYE = _only(HELP), _only(THANKS), _only(f"{GOODBYE}|{THANKS}")
ONLY_GREETING = _only(f"{GREETING}|{THANKS}")  # 'ㅎㅇ 고마워': a greeting with thanks in it


def _detect(ctx, text: str):
    if ONLY_HELP.fullmatch(text):
        return {"kind": "help"}
    if ONLY_THANKS.fullmatch(text):
        return {"kind": "thanks"}
    if ONLY_GOODBYE.fullmatch(text):  # '고마워 잘가': thanks and a goodbye
        return {"kind": "goodbye"}
    if ONLY_GREETING.fullmatch(text):
        return {"kind": "greeting"}
    return None


@handles("help", _detect)
def help_in_words(ctx, text: str, kind: str) -> Reply:
    """'도움말' is /help; '안녕하세요' and 'who are you' get /start's introduction; '고마워요' and 'bye' a short reply."""
    from handlers.commands import help_, menu, start

    if kind == "help":
        return help_(None, ctx, "")
    if kind == "greeting":
        reply = start(None, ctx, "")
    elif kind == "goodbye":
        reply = Reply(ctx.t("Goodbye. Ask me any time about the fine-dust measures."), matched=False, intent=kind,
                      lang=ctx.lang)
    else:
        reply = capabilities(ctx, lead=ctx.t("You are welcome. Ask me any time about the fine-dust measures."))
        reply.buttons = menu(ctx)
    reply.matched, reply.intent = False, kind
    return reply
