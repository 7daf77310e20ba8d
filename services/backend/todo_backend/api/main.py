"""All versioned API routes under /api/v1."""

from fastapi import APIRouter

from todo_backend.api.routes import auth, todos, users

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(auth.router)
api_router.include_router(users.router)
api_router.include_router(todos.router)
