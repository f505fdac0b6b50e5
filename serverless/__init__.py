"""Twilio Functions & Assets: the Serverless v1 API, builds, deployments and serving.

``serverless.runtime`` (a separate package) runs the code; this app is the control plane.
"""
