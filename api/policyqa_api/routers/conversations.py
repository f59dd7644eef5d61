"""Conversations (read back for the chat page and for session records) and feedback on answers."""

from fastapi import APIRouter

from policyqa.conversation.store import UnknownConversation

from ..deps import ConversationToken, ServiceDep, require_owner
from ..errors import ApiError
from ..schemas import LIMITED, OWNED, AnswerOut, ConversationOut, FeedbackIn, FeedbackOut, TurnOut

router = APIRouter(tags=["conversations"])


@router.post(
    "/conversations",
    response_model=ConversationOut,
    status_code=201,
    responses=LIMITED,
    summary="Start an empty conversation (POST /v1/ask also starts one when given no id)",
)
def new_conversation(service: ServiceDep) -> ConversationOut:
    started = service.store.new_conversation()
    return ConversationOut(conversation_id=started.id, conversation_token=started.token, turns=[])


@router.get(
    "/conversations/{conversation_id}",
    response_model=ConversationOut,
    responses=OWNED,
    summary="Every question of a conversation with the answer and citations it got (needs X-Conversation-Token)",
)
def conversation(conversation_id: str, service: ServiceDep, token: ConversationToken = None) -> ConversationOut:
    require_owner(service, conversation_id, token)
    try:
        turns = service.store.turns(conversation_id)
    except UnknownConversation:
        raise ApiError(404, "unknown_conversation", id=conversation_id) from None
    return ConversationOut(
        conversation_id=conversation_id,
        turns=[
            TurnOut(
                answer_id=t.id,
                position=t.position,
                question=t.question,
                query=t.query,
                created=t.created,
                answer=AnswerOut.of(t.answer, t, t.query != t.question),
            )
            for t in turns
        ],
    )


@router.post(
    "/feedback",
    response_model=FeedbackOut,
    status_code=201,
    responses=OWNED | LIMITED,
    summary="Rate an answer, with a comment (needs its conversation's X-Conversation-Token)",
)
def feedback(body: FeedbackIn, service: ServiceDep, token: ConversationToken = None) -> FeedbackOut:
    if not token:
        raise ApiError(401, "conversation_token")
    try:
        # Another conversation's token reads as an unknown answer: the reply names nothing of it.
        service.store.authorise(service.store.conversation_of(body.answer_id), token)
        saved = service.store.add_feedback(body.answer_id, body.rating, body.comment)
    except UnknownConversation:
        raise ApiError(404, "unknown_answer", id=body.answer_id) from None
    return FeedbackOut(id=saved.id, answer_id=saved.turn_id, rating=saved.rating, comment=saved.comment, created=saved.created)
