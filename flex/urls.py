"""TaskRouter v1 at Twilio's paths (``/v1/Workspaces/…``), beside the other ``/v1/`` routes
(Studio's ``/v1/Accounts/…/Flows`` webhooks, Serverless's ``/v1/Services``): every ``v1/`` route
here starts with ``v1/Workspaces``, so none can shadow another. The agent console's pages and
API sit under ``flex/`` and ``api/console/flex/``."""

from __future__ import annotations

from django.urls import path

from flex import console
from flex.api import setup_views as s
from flex.api import statistics_views as sv
from flex.api import stats_views as st
from flex.api import work_views as w

WS = "v1/Workspaces/<str:ws_sid>"

urlpatterns = [
    path("v1/Workspaces", s.WorkspaceList.as_view(), name="tr-workspaces"),
    path(WS, s.WorkspaceDetail.as_view(), name="tr-workspace"),
    path(f"{WS}/RealTimeStatistics", st.WorkspaceRealTimeStatistics.as_view(), name="tr-workspace-rts"),
    path(f"{WS}/Statistics", sv.WorkspaceStatistics.as_view(), name="tr-workspace-stats"),
    path(f"{WS}/CumulativeStatistics", sv.WorkspaceCumulativeStatistics.as_view(), name="tr-workspace-cs"),
    path(f"{WS}/TaskQueues/Statistics", sv.QueuesStatistics.as_view(), name="tr-queues-stats"),
    path(f"{WS}/TaskQueues/<str:queue_sid>/Statistics", sv.QueueStatistics.as_view(), name="tr-queue-stats"),
    path(
        f"{WS}/TaskQueues/<str:queue_sid>/CumulativeStatistics",
        sv.QueueCumulativeStatistics.as_view(),
        name="tr-queue-cs",
    ),
    path(
        f"{WS}/Workflows/<str:workflow_sid>/Statistics",
        sv.WorkflowStatistics.as_view(),
        name="tr-workflow-stats",
    ),
    path(
        f"{WS}/Workflows/<str:workflow_sid>/CumulativeStatistics",
        sv.WorkflowCumulativeStatistics.as_view(),
        name="tr-workflow-cs",
    ),
    path(f"{WS}/Workers/Statistics", sv.WorkersStatistics.as_view(), name="tr-workers-stats"),
    path(
        f"{WS}/Workers/CumulativeStatistics", sv.WorkersCumulativeStatistics.as_view(), name="tr-workers-cs"
    ),
    path(f"{WS}/Workers/<str:worker_sid>/Statistics", sv.WorkerStatistics.as_view(), name="tr-worker-stats"),
    path(f"{WS}/Activities", s.ActivityList.as_view(), name="tr-activities"),
    path(f"{WS}/Activities/<str:sid>", s.ActivityDetail.as_view(), name="tr-activity"),
    path(f"{WS}/TaskChannels", s.ChannelList.as_view(), name="tr-channels"),
    path(f"{WS}/TaskChannels/<str:sid>", s.ChannelDetail.as_view(), name="tr-channel"),
    path(f"{WS}/TaskQueues", s.QueueList.as_view(), name="tr-queues"),
    path(
        f"{WS}/TaskQueues/<str:queue_sid>/RealTimeStatistics",
        st.QueueRealTimeStatistics.as_view(),
        name="tr-queue-rts",
    ),
    path(f"{WS}/TaskQueues/<str:sid>", s.QueueDetail.as_view(), name="tr-queue"),
    path(f"{WS}/Workflows", s.WorkflowList.as_view(), name="tr-workflows"),
    path(f"{WS}/Workflows/<str:sid>", s.WorkflowDetail.as_view(), name="tr-workflow"),
    path(
        f"{WS}/Workflows/<str:workflow_sid>/RealTimeStatistics",
        st.WorkflowRealTimeStatistics.as_view(),
        name="tr-workflow-rts",
    ),
    path(f"{WS}/Workers", w.WorkerList.as_view(), name="tr-workers"),
    path(
        f"{WS}/Workers/RealTimeStatistics",
        st.WorkersRealTimeStatistics.as_view(),
        name="tr-workers-rts",
    ),
    path(f"{WS}/Workers/<str:sid>", w.WorkerDetail.as_view(), name="tr-worker"),
    path(f"{WS}/Workers/<str:worker_sid>/Channels", w.WorkerChannelList.as_view(), name="tr-worker-channels"),
    path(
        f"{WS}/Workers/<str:worker_sid>/Channels/<str:sid>",
        w.WorkerChannelDetail.as_view(),
        name="tr-worker-channel",
    ),
    path(
        f"{WS}/Workers/<str:owner_sid>/Reservations",
        w.WorkerReservationList.as_view(),
        name="tr-worker-reservations",
    ),
    path(
        f"{WS}/Workers/<str:owner_sid>/Reservations/<str:sid>",
        w.WorkerReservationDetail.as_view(),
        name="tr-worker-reservation",
    ),
    path(f"{WS}/Tasks", w.TaskList.as_view(), name="tr-tasks"),
    path(f"{WS}/Tasks/<str:sid>", w.TaskDetail.as_view(), name="tr-task"),
    path(f"{WS}/Tasks/<str:owner_sid>/Reservations", w.ReservationList.as_view(), name="tr-reservations"),
    path(
        f"{WS}/Tasks/<str:owner_sid>/Reservations/<str:sid>",
        w.ReservationDetail.as_view(),
        name="tr-reservation",
    ),
    path(f"{WS}/Events", w.EventList.as_view(), name="tr-events"),
    path(f"{WS}/Events/<str:sid>", w.EventDetail.as_view(), name="tr-event"),
    # The agent console and supervisor view (session-authenticated).
    path("flex/agent", console.agent_page, name="flex-agent"),
    path("flex/supervisor", console.supervisor_page, name="flex-supervisor"),
    path("api/console/flex/agent", console.Agent.as_view(), name="flex-console-agent"),
    path(
        "api/console/flex/agent/<str:worker_sid>/activity",
        console.AgentActivity.as_view(),
        name="flex-console-activity",
    ),
    path(
        "api/console/flex/agent/<str:worker_sid>/reservations/<str:sid>",
        console.AgentReservation.as_view(),
        name="flex-console-reservation",
    ),
    path(
        "api/console/flex/agent/<str:worker_sid>/reservations/<str:sid>/typing",
        console.AgentTyping.as_view(),
        name="flex-console-typing",
    ),
    path(
        "api/console/flex/agent/<str:worker_sid>/reservations/<str:sid>/messages",
        console.AgentMessages.as_view(),
        name="flex-console-messages",
    ),
    path("api/console/flex/defaults", console.Defaults.as_view(), name="flex-console-defaults"),
    path("api/console/flex/supervisor", console.Supervisor.as_view(), name="flex-console-supervisor"),
]
