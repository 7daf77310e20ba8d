"""POST /api/v1/chat: one chat turn, on the model path or the offline one."""

from __future__ import annotations

import datetime as dt
import logging

from fastapi import APIRouter, Request

from todo_agent import model
from todo_agent.actions import ActionLog, Turn
from todo_agent.api.deps import CHAT_ERRORS, ChatSession, SettingsDep
from todo_agent.backend import BackendUnauthorized, BackendUnavailable
from todo_agent.offline import run_offline
from todo_agent.schemas import ChatRequest, ChatResponse

router = APIRouter(tags=["chat"])
logger = logging.getLogger(__name__)


@router.post("/chat", responses=CHAT_ERRORS)
async def chat(
    body: ChatRequest, request: Request, session: ChatSession, settings: SettingsDep
) -> ChatResponse:
    log = ActionLog()
    turn = Turn(session, body.message, body.history, log, dt.date.today())
    client = request.app.state.model
    try:
        if client is not None:
            reply = await model.run_model(client, settings, turn)
        else:
            reply = await run_offline(turn)
    except BackendUnavailable as exc:
        if not log.changes:
            raise  # nothing happened: 502 with the reason
        # Some changes went through before the backend failed: say exactly which.
        reply = f"The todo service failed midway ({exc.detail}). {log.done_so_far()}"
    except BackendUnauthorized:
        raise
    except Exception:
        if not log.changes:
            raise
        # Even a bug must not hide changes already made: report them, log the rest.
        logger.exception("chat turn failed after changes")
        reply = f"Something went wrong on my side. {log.done_so_far()}"
    mode = "openai" if client is not None else "offline"
    return ChatResponse(reply=reply, actions=log.actions, mode=mode)
