from __future__ import annotations

from django.urls import path

from executions.api import (
    console_analytics,
    console_executions,
    console_explorer,
    console_live,
    console_rest,
    console_sim,
    executions_api,
)
from executions.inbound import webhook
from executions.messaging import messages_api
from executions.voice import call_simulator, calls_api

FLOW = "v2/Flows/<str:flow_sid>/Executions"
FLOW_V1 = "v1/Flows/<str:flow_sid>/Executions"

urlpatterns = [
    path("v1/Accounts/<str:account_sid>/Flows/<str:flow_sid>", webhook.flow_webhook, name="flow-webhook"),
    path(
        "v1/Accounts/<str:account_sid>/Flows/<str:flow_sid>/Executions/<str:execution_sid>/Callback",
        webhook.execution_callback,
        name="execution-callback",
    ),
    path(
        "v1/Accounts/<str:account_sid>/Messages/<str:message_sid>/Status",
        webhook.message_status,
        name="message-status-callback",
    ),
    path(FLOW, executions_api.ExecutionList.as_view(), name="v2-executions"),
    path(f"{FLOW}/<str:sid>", executions_api.ExecutionDetail.as_view(), name="v2-execution"),
    path(f"{FLOW}/<str:sid>/Context", executions_api.ExecutionContext.as_view(), name="v2-execution-context"),
    path(f"{FLOW}/<str:execution_sid>/Steps", executions_api.StepList.as_view(), name="v2-steps"),
    path(f"{FLOW}/<str:execution_sid>/Steps/<str:sid>", executions_api.StepDetail.as_view(), name="v2-step"),
    path(
        f"{FLOW}/<str:execution_sid>/Steps/<str:sid>/Context",
        executions_api.StepContext.as_view(),
        name="v2-step-context",
    ),
    # Studio v1's Executions (studio.v1 in the SDKs; Functions templates still use it) have v2's
    # shape: the same views answer (their links point at v2).
    path(FLOW_V1, executions_api.studio_v1(executions_api.ExecutionList), name="v1-executions"),
    path(
        f"{FLOW_V1}/<str:sid>", executions_api.studio_v1(executions_api.ExecutionDetail), name="v1-execution"
    ),
    path(
        f"{FLOW_V1}/<str:sid>/Context",
        executions_api.studio_v1(executions_api.ExecutionContext),
        name="v1-execution-context",
    ),
    path(
        f"{FLOW_V1}/<str:execution_sid>/Steps",
        executions_api.studio_v1(executions_api.StepList),
        name="v1-steps",
    ),
    path(
        f"{FLOW_V1}/<str:execution_sid>/Steps/<str:sid>",
        executions_api.studio_v1(executions_api.StepDetail),
        name="v1-step",
    ),
    path(
        f"{FLOW_V1}/<str:execution_sid>/Steps/<str:sid>/Context",
        executions_api.studio_v1(executions_api.StepContext),
        name="v1-step-context",
    ),
    path(
        "2010-04-01/Accounts/<str:account_sid>/Messages.json",
        messages_api.MessageList.as_view(),
        name="messages",
    ),
    path(
        "2010-04-01/Accounts/<str:account_sid>/Messages/<str:sid>.json",
        messages_api.MessageDetail.as_view(),
        name="message",
    ),
    path("2010-04-01/Accounts/<str:account_sid>/Calls.json", calls_api.CallList.as_view(), name="calls"),
    path(
        "2010-04-01/Accounts/<str:account_sid>/Calls/<str:sid>.json",
        calls_api.CallDetail.as_view(),
        name="call",
    ),
    path(
        "api/console/flows/<str:sid>/simulate/call",
        call_simulator.SimulateCall.as_view(),
        name="console-flow-simulate-call",
    ),
    path(
        "api/console/flows/<str:sid>/simulate/live-call",
        console_live.LiveCallStart.as_view(),
        name="console-flow-live-call",
    ),
    path(
        "api/console/calls/<str:sid>/answer",
        console_live.LiveCallAnswer.as_view(),
        name="console-call-answer",
    ),
    path(
        "api/console/executions/<str:sid>/skip-wait",
        console_live.SkipWait.as_view(),
        name="console-execution-skip-wait",
    ),
    path(
        "api/console/flows/<str:sid>/simulate/message",
        console_sim.SimulateMessage.as_view(),
        name="console-flow-simulate-message",
    ),
    path(
        "api/console/flows/<str:sid>/simulate/reset",
        console_sim.SimulateReset.as_view(),
        name="console-flow-simulate-reset",
    ),
    path(
        "api/console/flows/<str:sid>/simulate/rest",
        console_rest.SimulateRest.as_view(),
        name="console-flow-simulate-rest",
    ),
    path(
        "api/console/flows/<str:sid>/simulate/conversation",
        console_sim.SimulateConversation.as_view(),
        name="console-flow-simulate-conversation",
    ),
    path(
        "api/console/flows/<str:sid>/executions",
        console_executions.FlowExecutionList.as_view(),
        name="console-flow-executions",
    ),
    path(
        "api/console/flows/<str:sid>/analytics",
        console_analytics.FlowAnalytics.as_view(),
        name="console-flow-analytics",
    ),
    path(
        "api/console/flows/<str:sid>/executions/end",
        console_executions.EndExecutions.as_view(),
        name="console-flow-executions-end",
    ),
    path(
        "api/console/executions", console_explorer.AccountExecutionList.as_view(), name="console-executions"
    ),
    path("api/console/executions/end", console_explorer.BulkEnd.as_view(), name="console-executions-end"),
    path(
        "api/console/executions/delete",
        console_explorer.BulkDelete.as_view(),
        name="console-executions-delete",
    ),
    path(
        "api/console/executions/<str:sid>/trace",
        console_explorer.ExecutionTrace.as_view(),
        name="console-execution-trace",
    ),
    path(
        "api/console/executions/<str:sid>",
        console_executions.ExecutionDetailWithDelete.as_view(),
        name="console-execution",
    ),
    path(
        "api/console/executions/<str:sid>/end",
        console_executions.EndExecution.as_view(),
        name="console-execution-end",
    ),
]
