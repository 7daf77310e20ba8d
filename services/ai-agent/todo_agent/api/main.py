"""All versioned API routes under /api/v1."""

from fastapi import APIRouter

from todo_agent.api.routes import chat

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(chat.router)
